"""Sign-in attempts are limited per account, whatever alias is typed, and per IP
across accounts; every refusal says when to try again (``Retry-After``).

Limits (core/ratelimit.py): 10 attempts on one account in 5 minutes, 25 attempts
from one IP in 5 minutes. The test client always comes from one IP.
"""

from __future__ import annotations

import httpx
import pytest

from tests.factories import PASSWORD, Factory
from tests.oauth.support import App, password_token
from tests.web.helpers import login

pytestmark = pytest.mark.parametrize("settings", [{"rate_limits": True}], indirect=True)


def assert_retry_after(response: httpx.Response, *, at_most: int = 300) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= at_most


async def test_username_and_email_count_against_one_account(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    await factory.user("bob")
    for alias in ("alice", "ALICE@example.com", " Alice ", "alice@example.com", "alice"):
        for _ in range(2):
            assert (await password_token(client, app, alias, "guess")).status_code == 400
    # Ten guesses at alice under five spellings: the right password is refused too.
    limited = await password_token(client, app, "alice@example.com", PASSWORD)
    assert_retry_after(limited)
    assert "error" in limited.json()
    # Other people on the same IP are not locked out.
    assert (await password_token(client, app, "bob", PASSWORD)).status_code == 200


async def test_the_web_form_and_the_password_grant_share_the_account_count(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("carol")
    for _ in range(10):
        assert (await login(client, "carol@example.com", "guess")).status_code == 401
    limited = await password_token(client, app, "carol", PASSWORD)
    assert_retry_after(limited)
    page = await login(client, "Carol", PASSWORD)
    assert_retry_after(page)
    assert "Too many attempts" in page.text


async def test_an_unknown_login_is_counted_by_its_normalized_text(
    client: httpx.AsyncClient, app: App
) -> None:
    for spelling in ("nobody", "NOBODY", " nobody", "Nobody ", "nobody") * 2:
        assert (await password_token(client, app, spelling, "guess")).status_code == 400
    assert_retry_after(await password_token(client, app, "noBody", "guess"))


async def test_one_password_sprayed_over_many_logins_is_limited_per_ip(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("dora")
    for number in range(25):
        response = await password_token(client, app, f"user{number}", "Summer2026!")
        assert response.status_code == 400
    # A fresh account, never guessed at, but from the IP that tried 25 logins.
    assert_retry_after(await password_token(client, app, "dora", PASSWORD))
    assert_retry_after(await login(client, "dora", PASSWORD))
