"""GET /oauth/authorize: the page, and every request it must refuse."""

from urllib.parse import urlencode

import httpx
import pytest

from roost.oauth.models import OAuthApp
from roost.runtime import Runtime
from tests.oauth.support import CALLBACK, OOB, App, count, read_form, register_app


def authorize_url(app: App, **overrides: str) -> str:
    query = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": OOB,
        "scope": "read write",
        **overrides,
    }
    return "/oauth/authorize?" + urlencode({k: v for k, v in query.items() if v is not None})


async def test_the_page_shows_the_app_the_scopes_and_a_labelled_form(
    client: httpx.AsyncClient, app: App
) -> None:
    response = await client.get(authorize_url(app, state="xyz"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    page = read_form(response.text)
    assert "Test client" in response.text
    assert "<code>read</code>" in response.text and "<code>write</code>" in response.text
    assert page.form_method == "post" and page.form_action == "/oauth/authorize"
    assert page.labels == {"email": "Email", "password": "Password"}
    names = {i["name"]: i.get("type") for i in page.inputs}
    assert names["email"] == "text" and names["password"] == "password"
    hidden = page.hidden()
    assert hidden["client_id"] == app.client_id
    assert hidden["redirect_uri"] == OOB
    assert hidden["scope"] == "read write"
    assert hidden["state"] == "xyz"
    assert hidden["csrf_token"]
    assert [b["value"] for b in page.buttons] == ["approve", "deny"]


async def test_mastodon_py_literal_parameters_are_tolerated(
    client: httpx.AsyncClient, app: App
) -> None:
    # Mastodon.py's auth_request_url() sends these exactly like this.
    query = urlencode(
        {
            "client_id": app.client_id,
            "response_type": "code",
            "redirect_uri": OOB,
            "scope": "read write follow push",
            "force_login": False,
            "state": None,
            "lang": None,
        }
    )
    response = await client.get(f"/oauth/authorize/?{query}")
    assert response.status_code == 200
    assert read_form(response.text).hidden()["scope"] == "read write follow push"


async def test_toot_style_request_with_a_trailing_slash(client: httpx.AsyncClient) -> None:
    toot = await register_app(client, scopes="read write follow", redirect_uris=OOB)
    response = await client.get(
        "/oauth/authorize/?"
        + urlencode(
            {
                "response_type": "code",
                "redirect_uri": OOB,
                "scope": "read write follow",
                "client_id": toot.client_id,
            }
        )
    )
    assert response.status_code == 200


async def test_redirect_uri_may_be_left_out_when_the_app_has_only_one(
    client: httpx.AsyncClient,
) -> None:
    single = await register_app(client, redirect_uris=CALLBACK)
    response = await client.get(authorize_url(single, redirect_uri=None))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert read_form(response.text).hidden()["redirect_uri"] == CALLBACK


async def test_app_names_are_escaped(client: httpx.AsyncClient, runtime: Runtime) -> None:
    evil = await register_app(client, name='<script>alert("x")</script>')
    response = await client.get(authorize_url(evil))
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


async def test_pkce_parameters_are_carried_into_the_form(
    client: httpx.AsyncClient, app: App
) -> None:
    challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    response = await client.get(
        authorize_url(app, code_challenge=challenge, code_challenge_method="S256")
    )
    assert response.status_code == 200
    hidden = read_form(response.text).hidden()
    assert hidden["code_challenge"] == challenge
    assert hidden["code_challenge_method"] == "S256"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_id": "unknown"}, "application is unknown"),
        ({"client_id": None}, "application is unknown"),
        ({"redirect_uri": "https://evil.example/steal"}, "redirect URI"),
        ({"redirect_uri": None}, "redirect URI"),  # the app registered two
        ({"response_type": "token"}, "response_type"),
        ({"response_type": None}, "response_type"),
        ({"scope": "read admin:read"}, "scopes"),
        ({"scope": "read nonsense"}, "scopes"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "PKCE"),
        ({"code_challenge": "a" * 43, "code_challenge_method": "S512"}, "PKCE"),
        ({"code_challenge_method": "S256"}, "code_challenge"),
    ],
)
async def test_bad_requests_get_an_error_page_and_never_a_redirect(
    client: httpx.AsyncClient, app: App, overrides: dict[str, str | None], message: str
) -> None:
    response = await client.get(authorize_url(app, **overrides))  # type: ignore[arg-type]
    assert response.status_code == 400
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text
    assert "csrf_token" not in response.text


async def test_scopes_beyond_the_app_are_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    narrow = await register_app(client, scopes="read")
    response = await client.get(authorize_url(narrow, scope="read write"))
    assert response.status_code == 400
    assert await count(runtime, OAuthApp) == 1
