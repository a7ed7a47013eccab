"""Deleting one's own account through the settings page: the data is gone (posts out of
a follower's home, counts corrected, tokens dead, relations both ways, lists, filters,
notifications), the username stays reserved, the profile answers 404 (410 on the web).
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, or_, select

from roost.accounts.models import Account
from roost.core.settings import Settings
from roost.filters.models import Filter
from roost.follows.models import Block, Follow, Mute
from roost.lifecycle.deletion import purge_account
from roost.lists.models import List
from roost.media.models import MediaAttachment
from roost.notifications.models import Notification
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.statuses.models import Bookmark, Favourite, Status
from roost.web.models import WebSession
from tests.factories import PASSWORD, Factory, User
from tests.media import images
from tests.oauth.support import app_token, bearer, register_app
from tests.web.helpers import login, signed_in


async def call(
    client: httpx.AsyncClient, user: User, method: str, path: str, **data: Any
) -> dict[str, Any]:
    response = await client.request(method, path, data=data or None, headers=user.headers)
    assert response.status_code == 200, (path, response.text)
    body: dict[str, Any] = response.json()
    return body


async def home_ids(client: httpx.AsyncClient, user: User) -> list[str]:
    response = await client.get("/api/v1/timelines/home", headers=user.headers)
    assert response.status_code == 200
    return [item["id"] for item in response.json()]


async def count(runtime: Runtime, model: Any, *where: Any) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_a_deleted_account_leaves_nothing_behind(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice, bob, carol, dave = [await factory.user(n) for n in ("alice", "bob", "carol", "dave")]
    for follower, followed in ((bob, alice), (alice, bob), (carol, alice)):
        await call(client, follower, "POST", f"/api/v1/accounts/{followed.id}/follow")
    hers = await call(client, alice, "POST", "/api/v1/statuses", status="Hello from alice")
    his = await call(client, bob, "POST", "/api/v1/statuses", status="Bob's post")
    for action in ("favourite", "reblog", "bookmark"):
        await call(client, alice, "POST", f"/api/v1/statuses/{his['id']}/{action}")
    reply = await call(
        client, alice, "POST", "/api/v1/statuses", status="@bob agreed", in_reply_to_id=his["id"]
    )
    await call(client, alice, "POST", f"/api/v1/accounts/{dave.id}/block")
    await call(client, dave, "POST", f"/api/v1/accounts/{alice.id}/mute")
    friends = await call(client, alice, "POST", "/api/v1/lists", title="Friends")
    await call(client, alice, "POST", f"/api/v1/lists/{friends['id']}/accounts", account_ids=bob.id)
    await call(client, alice, "POST", "/api/v2/filters", title="spoilers", context="home")
    await runtime.jobs.drain()
    assert hers["id"] in await home_ids(client, bob)
    assert hers["id"] in await home_ids(client, carol)
    post = await call(client, bob, "GET", f"/api/v1/statuses/{his['id']}")
    assert (post["favourites_count"], post["reblogs_count"], post["replies_count"]) == (1, 1, 1)

    csrf = await signed_in(client, "alice")
    deleted = await client.post("/settings/delete", data={"password": PASSWORD, "csrf_token": csrf})
    assert deleted.status_code == 200
    assert "@alice is deleted" in deleted.text
    # At once: every token and browser is signed out, the profile is gone.
    assert (
        await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)
    ).status_code == 401
    assert (await client.get("/settings")).status_code == 303
    await runtime.jobs.drain()

    assert await home_ids(client, bob) == [his["id"]]
    assert hers["id"] not in await home_ids(client, carol)
    post = await call(client, bob, "GET", f"/api/v1/statuses/{his['id']}")
    assert (post["favourites_count"], post["reblogs_count"], post["replies_count"]) == (0, 0, 0)
    assert (
        await client.get(f"/api/v1/statuses/{reply['id']}", headers=bob.headers)
    ).status_code == 404
    me = await call(client, bob, "GET", "/api/v1/accounts/verify_credentials")
    assert (me["followers_count"], me["following_count"]) == (0, 0)
    assert (await call(client, carol, "GET", f"/api/v1/accounts/{carol.id}"))[
        "following_count"
    ] == 0
    notifications = await client.get("/api/v1/notifications", headers=bob.headers)
    assert notifications.json() == []

    assert (await client.get(f"/api/v1/accounts/{alice.id}")).status_code == 404
    assert (
        await client.get("/api/v1/accounts/lookup", params={"acct": "alice"})
    ).status_code == 410
    profile = await client.get("/@alice")
    assert profile.status_code == 410
    follow_back = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    assert follow_back.status_code == 404
    finger = await client.get("/.well-known/webfinger", params={"resource": "acct:alice@localhost"})
    assert finger.status_code == 410
    found = await call(client, bob, "GET", "/api/v2/search?q=alice&type=accounts")
    assert found["accounts"] == []
    mention = await call(client, bob, "POST", "/api/v1/statuses", status="@alice are you there?")
    assert mention["mentions"] == []

    gone = alice.account.id
    mine = Status.account_id == gone
    assert await count(runtime, Status, mine) == 0
    for model in (Follow, Block, Mute):
        either = or_(model.account_id == gone, model.target_account_id == gone)
        assert await count(runtime, model, either) == 0
    for model in (Favourite, Bookmark, List, Filter, WebSession):
        assert await count(runtime, model, model.account_id == gone) == 0
    assert (
        await count(
            runtime,
            Notification,
            or_(Notification.account_id == gone, Notification.from_account_id == gone),
        )
        == 0
    )
    live = AccessToken.account_id == gone, AccessToken.revoked_at.is_(None)
    assert await count(runtime, AccessToken, *live) == 0
    async with runtime.db.read() as session:
        tombstone = await session.get(Account, alice.account.id)
    assert tombstone is not None and tombstone.deleted_at is not None
    assert (tombstone.username, tombstone.statuses_count, tombstone.display_name) == (
        "alice",
        0,
        "",
    )

    await purge_account(runtime=runtime, account_id=alice.account.id)  # a rerun is harmless


async def test_the_username_stays_reserved_and_the_address_is_free(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("maya")
    csrf = await signed_in(client, "maya")
    await client.post("/settings/delete", data={"password": PASSWORD, "csrf_token": csrf})
    await runtime.jobs.drain()
    assert (await login(client, "maya")).status_code == 401
    assert (await login(client, "maya@example.com")).status_code == 401

    app = await register_app(client)
    token = await app_token(client, app, "write")
    fields = {"password": PASSWORD, "agreement": "true"}
    again = await client.post(
        "/api/v1/accounts",
        data={"username": "Maya", "email": "new@example.com", **fields},
        headers=bearer(token),
    )
    assert again.status_code == 422
    assert again.json()["details"]["username"][0]["error"] == "ERR_TAKEN"
    same_address = await client.post(
        "/api/v1/accounts",
        data={"username": "maya_again", "email": "maya@example.com", **fields},
        headers=bearer(token),
    )
    assert same_address.status_code == 200


async def test_a_wrong_password_deletes_nothing(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    theo = await factory.user("theo")
    csrf = await signed_in(client, "theo")
    page = await client.get("/settings/delete")
    assert page.status_code == 200 and 'id="delete-account-form"' in page.text
    refused = await client.post(
        "/settings/delete", data={"password": "not my password", "csrf_token": csrf}
    )
    assert refused.status_code == 401
    assert "The password is not right." in refused.text
    await runtime.jobs.drain()
    assert (
        await client.get("/api/v1/accounts/verify_credentials", headers=theo.headers)
    ).status_code == 200
    assert (await client.get("/@theo")).status_code == 200
    no_csrf = await client.post("/settings/delete", data={"password": PASSWORD})
    assert no_csrf.status_code == 403
    assert (await client.get(f"/api/v1/accounts/{theo.id}")).status_code == 200


async def test_a_deleted_account_leaves_no_file_behind(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, settings: Settings
) -> None:
    alice = await factory.user("alice")
    uploaded = await client.post(
        "/api/v2/media",
        files={"file": ("p.png", images.picture("PNG"), "image/png")},
        headers=alice.headers,
    )
    assert uploaded.status_code == 200
    avatar = await client.patch(
        "/api/v1/accounts/update_credentials",
        files={"avatar": ("a.png", images.picture("PNG", (300, 300)), "image/png")},
        headers=alice.headers,
    )
    assert avatar.status_code == 200
    media_root = settings.data_dir / "media"
    stored = [path for path in media_root.rglob("*") if path.is_file()]
    assert len(stored) >= 3  # the upload's original and preview, the avatar

    csrf = await signed_in(client, "alice")
    await client.post("/settings/delete", data={"password": PASSWORD, "csrf_token": csrf})
    await runtime.jobs.drain()

    assert [path for path in media_root.rglob("*") if path.is_file()] == []
    assert (
        await count(runtime, MediaAttachment, MediaAttachment.account_id == alice.account.id) == 0
    )
