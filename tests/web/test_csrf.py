"""Every form needs the token of the browser that loaded it: without it, 403 and
nothing changes."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from roost.follows.models import Follow
from roost.runtime import Runtime
from roost.statuses.models import Favourite, Status
from roost.web.models import WebSession
from tests.factories import PASSWORD, Factory
from tests.web.helpers import JSON_ACCEPT, fetch_headers, signed_in, token_for


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_posting_needs_the_session_token(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    refusals = [
        {"data": {"status": "no token"}},
        {"data": {"status": "wrong token", "csrf_token": "0" * 64}},
        {"data": {"status": "empty token", "csrf_token": ""}},
        {"data": {"status": "wrong header"}, "headers": {"X-CSRF-Token": token[::-1]}},
    ]
    for refusal in refusals:
        response = await client.post("/statuses", **refusal)  # type: ignore[arg-type]
        assert response.status_code == 403, refusal
        assert "did not come from Roost" in response.text
    scripted = await client.post("/statuses", data={"status": "x"}, headers=JSON_ACCEPT)
    assert scripted.status_code == 403 and "error" in scripted.json()
    assert await _count(runtime, Status) == 0

    by_form = await client.post("/statuses", data={"status": "with a form", "csrf_token": token})
    assert by_form.status_code == 303
    by_fetch = await client.post(
        "/statuses", data={"status": "fetch"}, headers=fetch_headers(token)
    )
    assert by_fetch.status_code == 200
    assert await _count(runtime, Status) == 2


async def test_a_token_works_only_with_its_own_session(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    bobs = httpx.AsyncClient(transport=client._transport, base_url="http://localhost")
    async with bobs:
        bob_token = await signed_in(bobs, "bob")
    await signed_in(client, "alice")
    post = await client.post("/statuses", data={"status": "forged", "csrf_token": bob_token})
    assert post.status_code == 403
    follow = await client.post(f"/accounts/{bob.id}/follow", data={"csrf_token": bob_token})
    assert follow.status_code == 403
    assert await _count(runtime, Status) == 0
    assert await _count(runtime, Follow) == 0


async def test_actions_and_settings_refuse_without_a_token(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    status = (
        await client.post("/api/v1/statuses", data={"status": "hi"}, headers=bob.headers)
    ).json()
    token = await signed_in(client, "alice")
    sid = status["id"]
    for path, data in [
        (f"/statuses/{sid}/favourite", {}),
        (f"/statuses/{sid}/reblog", {}),
        (f"/statuses/{sid}/delete", {}),
        (f"/accounts/{bob.id}/follow", {}),
        (f"/accounts/{bob.id}/block", {}),
        ("/settings/profile", {"display_name": "Hacked"}),
        ("/settings/password", {"current_password": PASSWORD, "new_password": "hacked hacked"}),
        ("/logout", {}),
    ]:
        response = await client.post(path, data=data)
        assert response.status_code == 403, path
    assert await _count(runtime, Favourite) == 0
    assert await _count(runtime, Status) == 1  # no boost, not deleted
    assert await _count(runtime, Follow) == 0
    assert await _count(runtime, WebSession) == 1  # still signed in
    settings = await client.get("/settings")
    assert settings.status_code == 200 and "Hacked" not in settings.text
    # The password did not change.
    await client.post("/logout", data={"csrf_token": token})
    relog = await client.post(
        "/login",
        data={"email": "alice", "password": PASSWORD, "csrf_token": await token_for(client)},
    )
    assert relog.status_code == 303


async def test_login_and_signup_need_the_pre_session_cookie(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    token = await token_for(client, "/login")
    # Another browser (no cookie) cannot reuse this page's token: a login CSRF.
    stranger = httpx.AsyncClient(transport=client._transport, base_url="http://localhost")
    async with stranger:
        response = await stranger.post(
            "/login", data={"email": "alice", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 403
        signup = await stranger.post(
            "/signup",
            data={
                "username": "mallory",
                "email": "m@example.com",
                "password": "long enough pw",
                "agreement": "1",
                "csrf_token": token,
            },
        )
        assert signup.status_code == 403
    missing = await client.post("/login", data={"email": "alice", "password": PASSWORD})
    assert missing.status_code == 403
    assert await _count(runtime, WebSession) == 0
    ok = await client.post(
        "/login", data={"email": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert ok.status_code == 303
