"""POST /oauth/authorize and the code exchange, driven through the HTML form."""

import asyncio
import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from roost.core.db import utcnow
from roost.oauth.models import AccessToken, AuthorizationCode
from roost.runtime import Runtime
from tests.factories import Factory
from tests.oauth.support import (
    CALLBACK,
    OOB,
    App,
    bearer,
    count,
    open_form,
    read_form,
    register_app,
    submit,
)


def challenge_for(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def exchange(client: httpx.AsyncClient, app: App, code: str, **extra: str) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": OOB,
            **app.credentials(),
            **extra,
        },
    )


async def oob_code(client: httpx.AsyncClient, app: App, **query: str) -> str:
    response = await submit(client, await open_form(client, app, **query))
    assert response.status_code == 200, response.text
    return read_form(response.text).texts["authorization-code"].strip()


async def test_full_pkce_flow_through_the_form_like_a_browser(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(8)
    fields = await open_form(
        client,
        app,
        redirect_uri=CALLBACK,
        scope="read write follow",
        state=state,
        code_challenge=challenge_for(verifier),
        code_challenge_method="S256",
    )
    response = await submit(client, fields)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == [state]
    code = query["code"][0]

    token = await exchange(client, app, code, redirect_uri=CALLBACK, code_verifier=verifier)
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "read write follow"
    me = await client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(token.json()["access_token"])
    )
    assert me.status_code == 200
    assert me.json()["username"] == "alice"

    async with runtime.db.read() as session:
        stored = (await session.scalars(select(AuthorizationCode))).one()
    assert stored.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert stored.used_at is not None


async def test_out_of_band_code_is_shown_on_the_page(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app)
    assert len(code) > 30
    token = await exchange(client, app, code, scope="read write")
    assert token.status_code == 200
    assert token.json()["scope"] == "read write"


async def test_the_username_works_in_the_email_field(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    response = await submit(client, await open_form(client, app), email="alice")
    assert response.status_code == 200
    assert "authorization-code" in response.text


async def test_plain_pkce_method(client: httpx.AsyncClient, factory: Factory, app: App) -> None:
    await factory.user("alice")
    verifier = "v" * 43
    code = await oob_code(client, app, code_challenge=verifier, code_challenge_method="plain")
    assert (await exchange(client, app, code, code_verifier="w" * 43)).status_code == 400
    assert (await exchange(client, app, code, code_verifier=verifier)).status_code == 200


async def test_a_code_works_only_once(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app)
    assert (await exchange(client, app, code)).status_code == 200
    again = await exchange(client, app, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert await count(runtime, AccessToken) == 2  # the factory's and the first exchange


async def test_concurrent_exchanges_of_one_code_yield_one_token(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app)
    results = await asyncio.gather(*(exchange(client, app, code) for _ in range(5)))
    assert sorted(r.status_code for r in results) == [200, 400, 400, 400, 400]
    assert await count(runtime, AccessToken) == 2


async def test_an_expired_code_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app)
    async with runtime.db.read() as session:
        stored = (await session.scalars(select(AuthorizationCode))).one()
    assert (
        timedelta(minutes=9)
        < stored.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
        <= timedelta(minutes=10)
    )
    async with runtime.db.write() as session:
        await session.execute(
            update(AuthorizationCode).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    response = await exchange(client, app, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"code_verifier": "x" * 43}, "invalid_grant"),
        ({"code_verifier": "short"}, "invalid_grant"),
        ({}, "invalid_request"),
    ],
)
async def test_wrong_or_missing_pkce_verifier(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    app: App,
    extra: dict[str, str],
    error: str,
) -> None:
    await factory.user("alice")
    verifier = secrets.token_urlsafe(48)
    code = await oob_code(
        client, app, code_challenge=challenge_for(verifier), code_challenge_method="S256"
    )
    response = await exchange(client, app, code, **extra)
    assert response.status_code == 400
    assert response.json()["error"] == error
    # A failed attempt writes nothing: the right verifier still works.
    assert (await exchange(client, app, code, code_verifier=verifier)).status_code == 200


async def test_redirect_uri_must_match_the_authorization_request(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app)
    for redirect in (CALLBACK, ""):
        response = await exchange(client, app, code, redirect_uri=redirect)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
    assert (await exchange(client, app, code)).status_code == 200


async def test_a_code_is_only_good_for_the_app_it_was_issued_to(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app)
    other = await register_app(client)
    response = await exchange(client, other, code)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    wrong_secret = await exchange(client, app, code, client_secret="nope")
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"


async def test_unknown_or_missing_code(client: httpx.AsyncClient, app: App) -> None:
    assert (await exchange(client, app, "made-up")).json()["error"] == "invalid_grant"
    missing = await client.post(
        "/oauth/token", data={"grant_type": "authorization_code", **app.credentials()}
    )
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


async def test_exchange_cannot_widen_the_authorized_scopes(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    code = await oob_code(client, app, scope="read")
    response = await exchange(client, app, code, scope="read write")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


async def test_wrong_password_shows_the_form_again_and_issues_nothing(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    fields = await open_form(client, app)
    response = await submit(client, fields, password="not it")
    assert response.status_code == 401
    page = read_form(response.text)
    assert "do not match" in response.text
    assert page.hidden()["client_id"] == app.client_id
    assert {i["name"]: i.get("value") for i in page.inputs}["email"] == "alice@example.com"
    assert await count(runtime, AuthorizationCode) == 0
    # The re-rendered form works.
    retry = await submit(client, page.hidden())
    assert retry.status_code == 200
    assert "authorization-code" in retry.text


async def test_unapproved_accounts_cannot_authorize(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("pending", approved=False)
    response = await submit(client, await open_form(client, app), email="pending")
    assert response.status_code == 403
    assert "approval" in response.text
    assert await count(runtime, AuthorizationCode) == 0


async def test_deny_redirects_with_access_denied(
    client: httpx.AsyncClient, runtime: Runtime, app: App
) -> None:
    fields = await open_form(client, app, redirect_uri=CALLBACK, state="s1")
    response = await submit(client, fields, decision="deny", email="", password="")
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    query = parse_qs(location.query)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s1"]
    assert "code" not in query
    assert await count(runtime, AuthorizationCode) == 0


async def test_deny_out_of_band_shows_a_page(
    client: httpx.AsyncClient, runtime: Runtime, app: App
) -> None:
    response = await submit(client, await open_form(client, app), decision="deny")
    assert response.status_code == 200
    assert "denied" in response.text
    assert "authorization-code" not in response.text
    assert await count(runtime, AuthorizationCode) == 0


async def test_redirect_keeps_the_registered_query_string(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    app = await register_app(client, redirect_uris="https://app.example/cb?tenant=7")
    fields = await open_form(client, app, redirect_uri="https://app.example/cb?tenant=7")
    response = await submit(client, fields)
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["tenant"] == ["7"] and "code" in query
    assert "state" not in query


async def test_an_unknown_decision_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    response = await submit(client, await open_form(client, app), decision="maybe")
    assert response.status_code == 400
    assert await count(runtime, AuthorizationCode) == 0


@pytest.mark.parametrize("settings", [{"rate_limits": True}], indirect=True)
async def test_sign_in_on_the_form_is_rate_limited(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    fields = await open_form(client, app)
    for _ in range(10):
        assert (await submit(client, fields, password="guess")).status_code == 401
    limited = await submit(client, fields)
    assert limited.status_code == 429
    assert "Too many" in limited.text
    assert await count(runtime, AuthorizationCode) == 0
