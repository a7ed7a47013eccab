"""The authorize form's CSRF token and its re-checked hidden fields."""

import httpx
import pytest

from roost.oauth import csrf
from roost.oauth.models import AuthorizationCode
from roost.runtime import Runtime
from tests.factories import Factory
from tests.oauth.support import App, count, open_form, register_app, submit


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "garbage",
        "99999999999.0000",
        "1.abc",  # expired long ago, and unsigned
    ],
)
async def test_the_form_needs_a_valid_csrf_token(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App, token: str | None
) -> None:
    await factory.user("alice")
    fields = await open_form(client, app)
    fields.pop("csrf_token")
    if token is not None:
        fields["csrf_token"] = token
    response = await submit(client, fields)
    assert response.status_code == 403
    assert "location" not in response.headers
    assert "authorization-code" not in response.text
    assert await count(runtime, AuthorizationCode) == 0


async def test_csrf_tokens_are_bound_to_the_app_and_expire(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    app: App,
) -> None:
    await factory.user("alice")
    other = await register_app(client)
    other_fields = await open_form(client, other)
    fields = await open_form(client, app)
    secret = runtime.settings.resolved_secret_key()
    forged = {
        "another app's": other_fields["csrf_token"],
        "another key's": csrf.issue("some other secret", app.client_id),
        "an expired": csrf.issue(secret, app.client_id, now=0),
    }
    for token in forged.values():
        response = await submit(client, {**fields, "csrf_token": token})
        assert response.status_code == 403
    assert await count(runtime, AuthorizationCode) == 0
    assert (await submit(client, fields)).status_code == 200


async def test_tampered_hidden_fields_are_checked_again(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("alice")
    narrow = await register_app(client, scopes="read")
    fields = await open_form(client, narrow, scope="read")
    for tampered in ({"scope": "read write"}, {"redirect_uri": "https://evil.example/"}):
        response = await submit(client, {**fields, **tampered})
        assert response.status_code == 400
        assert "location" not in response.headers
    assert await count(runtime, AuthorizationCode) == 0
