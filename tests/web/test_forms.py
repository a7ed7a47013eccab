"""Sign-in and sign-up mistakes get clear messages; abuse gets rate limited."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy import func, select

from roost.accounts.models import Account
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.statuses.models import Status
from roost.web.models import WebSession
from tests.conftest import AppClient
from tests.factories import PASSWORD, Factory
from tests.web.helpers import login, token_for

_ERROR = re.compile(r'<div class="form-error" role="alert">(.*?)</div>', re.S)


def form_error(page: str) -> str:
    found = _ERROR.search(page)
    assert found, "no .form-error on the page"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()))


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_login_mistakes(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    for login_name, password in [
        ("alice", "wrong password"),
        ("nobody", PASSWORD),
        ("", ""),
        ("alice", ""),
    ]:
        response = await login(client, login_name, password)
        assert response.status_code == 401
        assert form_error(response.text) == (
            "That email or username and password do not match an account."
        )
        assert f'value="{login_name}"' in response.text  # what was typed stays
        assert 'name="password" type="password" autocomplete="current-password">' in response.text
    assert await _count(runtime, WebSession) == 0


async def test_pending_accounts_cannot_log_in(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("waiting", approved=False)
    response = await login(client, "waiting")
    assert response.status_code == 403
    assert "waiting for a moderator" in form_error(response.text)


async def _signup(client: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = await token_for(client, "/signup")
    form = {
        "username": "newbie",
        "email": "newbie@example.com",
        "password": "a good long password",
        "agreement": "1",
        "csrf_token": token,
    }
    form.update(fields)
    return await client.post("/signup", data={k: v for k, v in form.items() if v is not None})


async def test_signup_mistakes(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("taken")
    cases = [
        ({"username": "taken"}, "Username has already been taken."),
        ({"username": "TAKEN"}, "Username has already been taken."),
        ({"email": "taken@example.com"}, "Email has already been taken."),
        ({"password": "short"}, "Password is too short (minimum is 8 characters)."),
        ({"password": ""}, "Password can't be blank."),
        ({"username": "no spaces"}, "Username must contain only letters, numbers and underscores."),
        ({"username": "admin"}, "Username is reserved."),
        ({"email": "not-an-email"}, "Email is invalid."),
        ({"agreement": ""}, "The server rules must be accepted."),
    ]
    for fields, message in cases:
        response = await _signup(client, **fields)
        assert response.status_code == 422, fields
        assert message in form_error(response.text), (fields, form_error(response.text))
        assert "roost_session" not in response.cookies
    both = await _signup(client, username="", password="x")
    assert form_error(both.text) == (
        "Username can't be blank. Password is too short (minimum is 8 characters)."
    )
    assert 'value="newbie@example.com"' in both.text  # the email typed stays
    assert await _count(runtime, Account) == 1  # only "taken"
    assert await _count(runtime, WebSession) == 0
    assert await _count(runtime, AccessToken) == 1  # only the factory's, for "taken"


async def test_signup_when_closed_or_by_approval(factory: Factory, app_client: AppClient) -> None:
    async with app_client(registrations="closed") as (http, runtime):
        response = await _signup(http)
        assert response.status_code == 403
        assert "Registrations are closed" in form_error(response.text)
        assert await _count(runtime, Account) == 0
    async with app_client(registrations="approval") as (http, runtime):
        response = await _signup(http)
        assert response.status_code == 200
        assert "waiting for a moderator's approval" in html.unescape(response.text)
        assert "roost_session" not in http.cookies
        assert await _count(runtime, Account) == 1
        assert await _count(runtime, WebSession) == 0
        assert await _count(runtime, AccessToken) == 0


async def test_login_is_rate_limited(factory: Factory, app_client: AppClient) -> None:
    await factory.user("alice")
    async with app_client(rate_limits=True) as (http, runtime):
        for _ in range(10):
            assert (await login(http, "alice", "guess")).status_code == 401
        blocked = await login(http, "alice")  # even the right password, for now
        assert blocked.status_code == 429
        assert "Too many attempts" in form_error(blocked.text)
        assert await _count(runtime, WebSession) == 0


async def test_signup_is_rate_limited(app_client: AppClient) -> None:
    async with app_client(rate_limits=True) as (http, runtime):
        for number in range(5):
            response = await _signup(http, username="", email=f"x{number}@example.com")
            assert response.status_code == 422
        blocked = await _signup(http)
        assert blocked.status_code == 429
        assert "Too many attempts" in form_error(blocked.text)
        assert await _count(runtime, Account) == 0


async def test_posting_is_rate_limited(factory: Factory, app_client: AppClient) -> None:
    alice = await factory.user("alice")
    async with app_client(rate_limits=True) as (http, runtime):
        await login(http, "alice")
        token = await token_for(http, "/home")
        assert (
            await http.post("/statuses", data={"status": "one", "csrf_token": token})
        ).is_redirect
        for _ in range(299):  # the rest of the "post" allowance (300 in 3 hours)
            await runtime.limiter.hit("post", str(alice.account.id))
        page = await http.post("/statuses", data={"status": "one too many", "csrf_token": token})
        assert page.status_code == 429
        assert "Too many" in form_error(page.text)
        assert "one too many</textarea>" in page.text  # the text is kept to post later
        scripted = await http.post(
            "/statuses",
            data={"status": "one too many"},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert scripted.status_code == 429 and "error" in scripted.json()
        async with runtime.db.read() as session:
            texts = (await session.scalars(select(Status.text))).all()
        assert texts == ["one"]
