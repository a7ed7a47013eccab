"""The OAuth authorize page in the web page's layout: signed out it asks for a password,
signed in it asks only "Approve?", and both ways are protected against forged forms."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import select

from roost.oauth.models import AuthorizationCode
from roost.runtime import Runtime
from tests.factories import PASSWORD, Factory
from tests.oauth.support import OOB, App, count, read_form, register_app
from tests.web.helpers import signed_in

CALLBACK = "https://app.example/callback"


def _url(app: App, **extra: str) -> str:
    query = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": OOB,
        "scope": "read write",
        **extra,
    }
    return "/oauth/authorize?" + urlencode(query)


async def _codes(runtime: Runtime) -> list[AuthorizationCode]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(AuthorizationCode))).all())


async def _exchange(client: httpx.AsyncClient, app: App, code: str) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": OOB,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    )


async def test_signed_out_the_page_has_the_web_look_and_asks_for_a_password(
    client: httpx.AsyncClient,
) -> None:
    app = await register_app(client, name="Tusky")
    page = await client.get(_url(app))
    assert page.status_code == 200
    assert re.search(r'<link rel="stylesheet" href="/static/roost\.css\?v=\w+">', page.text)
    assert 'id="main-nav"' in page.text and 'class="layout"' in page.text
    assert "<script" not in page.text and "<style" not in page.text  # nothing inline
    policy = page.headers["content-security-policy"]
    assert "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy and "'unsafe-inline'" not in policy
    # Approving redirects to the app's own URI: the policy must not forbid that.
    assert "form-action" not in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    form = read_form(page.text)
    assert form.labels == {"email": "Email", "password": "Password"}
    assert "<h1>Authorize Tusky</h1>" in page.text
    # Or sign in to Roost first, and come back here.
    login = re.search(r'<a href="(/login\?next=[^"]+)">log in to Roost</a>', page.text)
    assert login
    back = parse_qs(urlsplit(login.group(1).replace("&amp;", "&")).query)["next"][0]
    assert back.startswith("/oauth/authorize?") and f"client_id={app.client_id}" in back
    # The login page keeps it, and sends a signed-in browser straight back.
    assert (await client.get(login.group(1).replace("&amp;", "&"))).status_code == 200


async def test_signed_in_the_page_asks_only_to_approve(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    app = await register_app(client, name="Tusky")
    await signed_in(client, "alice")
    page = await client.get(_url(app, state="s1"))
    assert page.status_code == 200
    assert "Authorize Tusky to use your account @alice?" in page.text
    form = read_form(page.text)
    assert form.labels == {}  # no email, no password
    assert {i.get("type") for i in form.inputs} == {"hidden"}
    hidden = form.hidden()
    assert hidden["csrf_token"] and hidden["session_token"] and hidden["state"] == "s1"
    assert 'force_login=true">Use another account</a>' in page.text

    approved = await client.post("/oauth/authorize", data={**hidden, "decision": "approve"})
    assert approved.status_code == 200
    code = read_form(approved.text).texts["authorization-code"].strip()
    [row] = await _codes(runtime)
    assert row.account_id == alice.account.id
    token = await _exchange(client, app, code)
    assert token.status_code == 200, token.text
    me = await client.get(
        "/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    )
    assert me.json()["username"] == "alice"


async def test_signed_in_approval_redirects_to_the_app(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    app = await register_app(client)
    await signed_in(client, "alice")
    hidden = read_form((await client.get(_url(app, redirect_uri=CALLBACK, state="xy"))).text)
    response = await client.post(
        "/oauth/authorize", data={**hidden.hidden(), "decision": "approve"}
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert response.headers["location"].startswith(CALLBACK + "?")
    assert query["state"] == ["xy"] and query["code"][0]
    denied = await client.post("/oauth/authorize", data={**hidden.hidden(), "decision": "deny"})
    assert denied.status_code == 302
    assert "error=access_denied" in denied.headers["location"]


async def test_a_forged_or_stale_session_form_grants_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    await factory.user("mallory")
    app = await register_app(client)
    await signed_in(client, "alice")
    fields = read_form((await client.get(_url(app))).text).hidden()

    # Another browser's session token (Mallory's) does not approve for Alice.
    alices = httpx.Cookies(client.cookies)
    client.cookies.clear()
    await signed_in(client, "mallory")
    mallory_fields = read_form((await client.get(_url(app))).text).hidden()
    client.cookies = alices
    for token in ("", "forged", mallory_fields["session_token"]):
        refused = await client.post(
            "/oauth/authorize", data={**fields, "session_token": token, "decision": "approve"}
        )
        assert refused.status_code == 403
        assert "authorization-code" not in refused.text
        assert "another browser" in refused.text
    # Without the app-bound token either, as before.
    no_csrf = {**fields, "csrf_token": "nope", "decision": "approve"}
    assert (await client.post("/oauth/authorize", data=no_csrf)).status_code == 403

    # Signed out since the page was shown: the session token alone is worth nothing,
    # and the page asks for a password again.
    await client.post("/logout", data={"csrf_token": fields["session_token"]})
    stale = await client.post("/oauth/authorize", data={**fields, "decision": "approve"})
    assert stale.status_code == 403
    assert read_form(stale.text).labels == {"email": "Email", "password": "Password"}
    assert await count(runtime, AuthorizationCode) == 0


async def test_force_login_asks_for_a_password_even_when_signed_in(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    app = await register_app(client)
    await signed_in(client, "alice")
    page = await client.get(_url(app, force_login="true"))
    form = read_form(page.text)
    assert form.labels == {"email": "Email", "password": "Password"}
    assert "session_token" not in form.hidden()
    wrong = await client.post(
        "/oauth/authorize",
        data={
            **form.hidden(),
            "email": "bob@example.com",
            "password": "nope",
            "decision": "approve",
        },
    )
    assert wrong.status_code == 401
    assert read_form(wrong.text).labels == {"email": "Email", "password": "Password"}
    approved = await client.post(
        "/oauth/authorize",
        data={
            **form.hidden(),
            "email": "bob@example.com",
            "password": PASSWORD,
            "decision": "approve",
        },
    )
    assert approved.status_code == 200 and 'id="authorization-code"' in approved.text
    [row] = await _codes(runtime)
    assert row.account_id == bob.account.id
    # Mastodon.py sends force_login=False: that is no request to log in again.
    literal = await client.get(_url(app, force_login="False"))
    assert "to use your account @alice?" in literal.text


async def test_error_and_code_pages_share_the_layout(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    app = await register_app(client)
    refused = await client.get(_url(app, client_id="unknown"))
    assert refused.status_code == 400
    assert "/static/roost.css" in refused.text and "application is unknown" in refused.text
    assert "<form" not in refused.text  # nothing for a person (or a script) to submit
    await signed_in(client, "alice")
    hidden = read_form((await client.get(_url(app))).text).hidden()
    code_page = await client.post("/oauth/authorize", data={**hidden, "decision": "approve"})
    assert 'class="authorization-code" id="authorization-code"' in code_page.text
    assert "/static/roost.css" in code_page.text
    assert "default-src 'none'" in code_page.headers["content-security-policy"]
