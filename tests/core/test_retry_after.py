"""Every 429 says when to try again: ``Retry-After`` is the seconds until the moving
window frees a slot, on the API, on web pages, and for scripts of the web page."""

from __future__ import annotations

import time

import pytest

from roost.core.errors import RateLimited
from roost.core.ratelimit import RateLimiter
from tests.conftest import AppClient
from tests.factories import Factory
from tests.web.helpers import login, token_for

OOB = "urn:ietf:wg:oauth:2.0:oob"


async def test_retry_after_counts_down_to_when_the_oldest_action_leaves_the_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limiter = RateLimiter(enabled=True)
    for _ in range(20):  # app registrations: 20 in 5 minutes
        await limiter.hit("oauth_app", "203.0.113.9")
    with pytest.raises(RateLimited) as first:
        await limiter.hit("oauth_app", "203.0.113.9")
    assert 295 <= first.value.retry_after <= 300
    assert first.value.headers == {"Retry-After": str(first.value.retry_after)}
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(RateLimited) as second:
        await limiter.hit("oauth_app", "203.0.113.9")
    assert 175 <= second.value.retry_after <= 180


async def test_api_429s_carry_retry_after(factory: Factory, app_client: AppClient) -> None:
    alice = await factory.user("alice")
    async with app_client(rate_limits=True) as (http, runtime):
        for _ in range(20):
            await runtime.limiter.hit("oauth_app", "127.0.0.1")
        limited = await http.post("/api/v1/apps", data={"client_name": "x", "redirect_uris": OOB})
        assert limited.status_code == 429
        assert limited.json() == {"error": "Too many requests"}
        assert 1 <= int(limited.headers["Retry-After"]) <= 300

        for _ in range(300):  # posts: 300 in 3 hours
            await runtime.limiter.hit("post", alice.id)
        post = await http.post("/api/v1/statuses", json={"status": "x"}, headers=alice.headers)
        assert post.status_code == 429
        assert 3 * 3600 - 60 <= int(post.headers["Retry-After"]) <= 3 * 3600


async def test_web_429s_carry_retry_after(factory: Factory, app_client: AppClient) -> None:
    alice = await factory.user("alice")
    async with app_client(rate_limits=True) as (http, runtime):
        assert (await login(http, "alice")).status_code == 303
        token = await token_for(http, "/home")
        for _ in range(300):
            await runtime.limiter.hit("post", alice.id)
        page = await http.post("/statuses", data={"status": "x", "csrf_token": token})
        assert page.status_code == 429
        assert int(page.headers["Retry-After"]) > 3 * 3600 - 60
        scripted = await http.post(
            "/statuses",
            data={"status": "x"},
            headers={"X-CSRF-Token": token, "Accept": "application/json"},
        )
        assert scripted.status_code == 429
        assert int(scripted.headers["Retry-After"]) > 3 * 3600 - 60

        for _ in range(9):  # the sign-in above was the first of 10
            await runtime.limiter.hit("login_account", f"account:{alice.id}")
        password = await http.post(
            "/settings/password",
            data={"current_password": "x", "new_password": "long enough", "csrf_token": token},
        )
        assert password.status_code == 429
        assert 1 <= int(password.headers["Retry-After"]) <= 300


async def test_signup_429_carries_retry_after(app_client: AppClient) -> None:
    async with app_client(rate_limits=True) as (http, runtime):
        for _ in range(5):
            await runtime.limiter.hit("register", "127.0.0.1")
        page = await http.get("/signup")
        assert page.status_code == 200
        response = await http.post(
            "/signup",
            data={
                "username": "zed",
                "email": "zed@example.com",
                "password": "long enough",
                "agreement": "1",
                "csrf_token": await token_for(http, "/signup"),
            },
        )
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 30 * 60
