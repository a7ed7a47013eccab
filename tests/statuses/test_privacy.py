"""Followers-only and direct posts, and blocks, on every statuses endpoint."""

import httpx
import pytest

from roost.notifications.models import Notification
from roost.runtime import Runtime
from roost.statuses.models import Favourite, Status
from tests.factories import Factory, User
from tests.statuses.helpers import block, count, follow, post


async def can_read(client: httpx.AsyncClient, status_id: str, user: User | None) -> bool:
    headers = user.headers if user else {}
    response = await client.get(f"/api/v1/statuses/{status_id}", headers=headers)
    assert response.status_code in (200, 404)
    return response.status_code == 200


async def test_followers_only_posts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    follower = await factory.user("follower")
    mentioned = await factory.user("mentioned")
    stranger = await factory.user("stranger")
    await follow(runtime, follower, alice)
    status = await post(client, alice, "hi @mentioned", visibility="private")

    assert await can_read(client, status["id"], alice)
    assert await can_read(client, status["id"], follower)
    assert await can_read(client, status["id"], mentioned)
    assert not await can_read(client, status["id"], stranger)
    assert not await can_read(client, status["id"], None)


async def test_direct_posts(client: httpx.AsyncClient, factory: Factory, runtime: Runtime) -> None:
    alice = await factory.user("alice")
    follower = await factory.user("follower")
    mentioned = await factory.user("mentioned")
    await follow(runtime, follower, alice)
    status = await post(client, alice, "psst @mentioned", visibility="direct")

    assert await can_read(client, status["id"], mentioned)
    assert not await can_read(client, status["id"], follower)
    assert not await can_read(client, status["id"], None)
    assert await count(runtime, Notification, account_id=mentioned.account.id) == 1


@pytest.mark.parametrize("visibility", ["private", "direct"])
async def test_strangers_cannot_touch_hidden_posts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, visibility: str
) -> None:
    alice = await factory.user("alice")
    stranger = await factory.user("stranger")
    root = await post(client, alice, "root")
    status = await post(client, alice, "hidden", visibility=visibility, in_reply_to_id=root["id"])
    url = f"/api/v1/statuses/{status['id']}"
    for method, path in (
        ("GET", ""),
        ("GET", "/context"),
        ("GET", "/favourited_by"),
        ("GET", "/reblogged_by"),
        ("POST", "/favourite"),
        ("POST", "/unfavourite"),
        ("POST", "/reblog"),
        ("POST", "/unreblog"),
        ("DELETE", ""),
    ):
        response = await client.request(method, url + path, headers=stranger.headers)
        assert response.status_code == 404, (method, path)
        assert response.json() == {"error": "Record not found"}
    _, descendants = (await client.get(f"/api/v1/statuses/{root['id']}/context")).json().values()
    assert descendants == []
    ids = await client.get(
        "/api/v1/statuses", params={"id[]": status["id"]}, headers=stranger.headers
    )
    assert ids.json() == []
    assert await count(runtime, Favourite) == 0
    assert await count(runtime, Status) == 2
    assert await count(runtime, Notification) == 0


async def test_followers_can_favourite_a_followers_only_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    follower = await factory.user("follower")
    await follow(runtime, follower, alice)
    status = await post(client, alice, "for followers", visibility="private")
    liked = await client.post(
        f"/api/v1/statuses/{status['id']}/favourite", headers=follower.headers
    )
    assert liked.status_code == 200
    who = await client.get(
        f"/api/v1/statuses/{status['id']}/favourited_by", headers=follower.headers
    )
    assert [a["id"] for a in who.json()] == [follower.id]
    anonymous = await client.get(f"/api/v1/statuses/{status['id']}/favourited_by")
    assert anonymous.status_code == 404


@pytest.mark.parametrize("direction", ["author blocks viewer", "viewer blocks author"])
async def test_blocked_people_see_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, direction: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = await post(client, alice, "public")
    if direction == "author blocks viewer":
        await block(runtime, alice, bob)
    else:
        await block(runtime, bob, alice)
    url = f"/api/v1/statuses/{status['id']}"
    assert not await can_read(client, status["id"], bob)
    for path in ("/favourite", "/reblog"):
        assert (await client.post(url + path, headers=bob.headers)).status_code == 404
    for path in ("/context", "/favourited_by", "/reblogged_by"):
        assert (await client.get(url + path, headers=bob.headers)).status_code == 404
    assert await count(runtime, Status) == 1
    assert await count(runtime, Favourite) == 0
    # Anyone else still sees it.
    assert await can_read(client, status["id"], None)


async def test_a_boost_is_hidden_when_its_post_is(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    status = await post(client, alice, "public")
    boost = (
        await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    ).json()
    assert await can_read(client, boost["id"], carol)
    await block(runtime, alice, carol)
    assert not await can_read(client, boost["id"], carol)
    # And the people who favourited or boosted are not listed to those they block.
    await client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.headers)
    dave = await factory.user("dave")
    await block(runtime, bob, dave)
    for kind in ("favourited_by", "reblogged_by"):
        listed = await client.get(f"/api/v1/statuses/{status['id']}/{kind}", headers=dave.headers)
        assert listed.json() == []


async def test_followers_only_boosts_are_not_listed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = await post(client, alice, "public")
    await client.post(
        f"/api/v1/statuses/{status['id']}/reblog",
        json={"visibility": "private"},
        headers=bob.headers,
    )
    everyone = await client.get(f"/api/v1/statuses/{status['id']}/reblogged_by")
    assert everyone.json() == []
    own = await client.get(f"/api/v1/statuses/{status['id']}/reblogged_by", headers=bob.headers)
    assert [a["id"] for a in own.json()] == [bob.id]
