"""Signing up, in and out: server-side sessions behind an HttpOnly, SameSite cookie."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from roost.core.security import token_digest
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.web.models import WebSession
from tests.conftest import AppClient
from tests.factories import PASSWORD, Factory
from tests.web.helpers import csrf_of, login, signed_in, token_for


async def _sessions(runtime: Runtime) -> list[WebSession]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(WebSession))).all())


def _cookie_header(response: httpx.Response, name: str) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


async def test_signup_signs_in_with_a_hashed_session(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    token = await token_for(client, "/signup")
    response = await client.post(
        "/signup",
        data={
            "username": "carol",
            "email": "carol@example.com",
            "password": "a long enough password",
            "agreement": "1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/home"
    cookie = _cookie_header(response, "roost_session")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=2592000" in cookie
    assert "Secure" not in cookie  # plain http on localhost
    value = client.cookies["roost_session"]
    [stored] = await _sessions(runtime)
    assert stored.token_hash == token_digest(value) and stored.token_hash != value

    home = await client.get("/home")
    assert home.status_code == 200
    assert 'href="/@carol"' in home.text and 'id="main-nav"' in home.text
    # The API's sign-up rules made the account; the web page makes no token at all.
    async with runtime.db.read() as session:
        tokens = await session.scalar(select(func.count()).select_from(AccessToken))
    assert tokens == 0


async def test_login_accepts_email_or_username_and_logout_ends_the_session(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("dora")
    response = await login(client, "DORA")  # a username, any case
    assert response.status_code == 303 and response.headers["location"] == "/home"
    old_cookie = client.cookies["roost_session"]
    token = csrf_of((await client.get("/home")).text)

    out = await client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303
    assert 'roost_session=""' in _cookie_header(out, "roost_session")
    assert await _sessions(runtime) == []

    # The old cookie, replayed, is nobody.
    client.cookies.set("roost_session", old_cookie)
    again = await client.get("/home")
    assert again.status_code == 303
    assert again.headers["location"] == "/login?next=/home"

    by_email = await login(client, "dora@example.com")
    assert by_email.status_code == 303


async def test_pages_that_need_a_person_redirect_or_answer_401(client: httpx.AsyncClient) -> None:
    for path in ("/home", "/notifications", "/settings"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"
    fragment = await client.get("/home/newer?min_id=0", headers={"Accept": "application/json"})
    assert fragment.status_code == 401 and "error" in fragment.json()
    explore = await client.get("/")
    assert explore.status_code == 200 and "Welcome to Roost" in explore.text


async def test_login_goes_back_to_a_local_page_only(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("erin")
    token = await token_for(client, "/login?next=/settings")
    form = {"email": "erin", "password": PASSWORD, "csrf_token": token}
    response = await client.post("/login", data={**form, "next": "/settings"})
    assert response.headers["location"] == "/settings"
    await client.post("/logout", data={"csrf_token": await token_for(client, "/home")})
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = await token_for(client, "/login")
        response = await client.post("/login", data={**form, "csrf_token": token, "next": evil})
        assert response.headers["location"] == "/home"
        await client.post("/logout", data={"csrf_token": await token_for(client, "/home")})


async def test_password_change_signs_out_the_other_sessions(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("fay")
    token = await signed_in(client, "fay")
    other = httpx.AsyncClient(transport=client._transport, base_url="http://localhost")
    async with other:
        await signed_in(other, "fay")
        assert len(await _sessions(runtime)) == 2

        wrong = await client.post(
            "/settings/password",
            data={
                "current_password": "nope",
                "new_password": "brand new secret",
                "csrf_token": token,
            },
        )
        assert wrong.status_code == 401 and "current password is not right" in wrong.text
        short = await client.post(
            "/settings/password",
            data={"current_password": PASSWORD, "new_password": "short", "csrf_token": token},
        )
        assert short.status_code == 422 and "New password is too short" in short.text
        assert len(await _sessions(runtime)) == 2

        changed = await client.post(
            "/settings/password",
            data={
                "current_password": PASSWORD,
                "new_password": "brand new secret",
                "csrf_token": token,
            },
        )
        assert changed.status_code == 200
        assert "1 other session was signed out" in changed.text
        assert (await other.get("/home")).status_code == 303  # that browser is signed out
        assert (await client.get("/home")).status_code == 200  # this one stays

    await client.post("/logout", data={"csrf_token": token})
    assert (await login(client, "fay")).status_code == 401
    assert (await login(client, "fay", "brand new secret")).status_code == 303


async def test_session_cookie_is_secure_on_a_public_domain(
    factory: Factory, app_client: AppClient
) -> None:
    await factory.user("gus")
    async with app_client(base_url="https://social.example", domain="social.example") as (http, _):
        page = await http.get("/login")
        assert "Secure" in _cookie_header(page, "roost_csrf")
        response = await http.post(
            "/login",
            data={"email": "gus", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert response.status_code == 303
        cookie = _cookie_header(response, "roost_session")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


async def test_pages_carry_security_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/login")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    pre = _cookie_header(response, "roost_csrf")
    assert "HttpOnly" in pre and "SameSite=lax" in pre
