"""Bookmarks: idempotent, private to their owner, only of posts one may see, listed
newest bookmark first with Link headers."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from roost.statuses.models import Bookmark
from tests.factories import Factory
from tests.statuses.helpers import block, count, post


async def test_bookmark_unbookmark_and_list(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    posts = [await post(client, alice, f"keep {n}") for n in range(3)]
    for status in posts:
        for _ in range(2):  # twice is the same as once
            response = await client.post(
                f"/api/v1/statuses/{status['id']}/bookmark", headers=bob.headers
            )
            assert response.status_code == 200 and response.json()["bookmarked"] is True
    assert await count(runtime, Bookmark) == 3
    # The flag is bob's own.
    seen = (await client.get(f"/api/v1/statuses/{posts[0]['id']}", headers=alice.headers)).json()
    assert seen["bookmarked"] is False
    assert (await client.get(f"/api/v1/statuses/{posts[0]['id']}", headers=bob.headers)).json()[
        "bookmarked"
    ] is True

    first = await client.get("/api/v1/bookmarks", params={"limit": 2}, headers=bob.headers)
    assert [s["id"] for s in first.json()] == [posts[2]["id"], posts[1]["id"]]
    assert all(s["bookmarked"] for s in first.json())
    assert 'rel="next"' in first.headers["link"]
    after = first.links["next"]["url"]
    rest = await client.get(after, headers=bob.headers)
    assert [s["id"] for s in rest.json()] == [posts[0]["id"]]
    assert (await client.get("/api/v1/bookmarks", headers=alice.headers)).json() == []

    for _ in range(2):
        response = await client.post(
            f"/api/v1/statuses/{posts[1]['id']}/unbookmark", headers=bob.headers
        )
        assert response.status_code == 200 and response.json()["bookmarked"] is False
    listed = (await client.get("/api/v1/bookmarks", headers=bob.headers)).json()
    assert [s["id"] for s in listed] == [posts[2]["id"], posts[0]["id"]]
    assert (await client.get("/api/v1/bookmarks")).status_code == 401


async def test_what_one_may_not_see_cannot_be_bookmarked_nor_listed(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    private = await post(client, alice, "followers only", visibility="private")
    response = await client.post(f"/api/v1/statuses/{private['id']}/bookmark", headers=bob.headers)
    assert response.status_code == 404
    assert await count(runtime, Bookmark) == 0
    assert (
        await client.post("/api/v1/statuses/999999/bookmark", headers=bob.headers)
    ).status_code == 404

    public = await post(client, alice, "public")
    await client.post(f"/api/v1/statuses/{public['id']}/bookmark", headers=bob.headers)
    await block(runtime, alice, bob)
    # Blocked since: no longer listed, but the bookmark can still be removed.
    assert (await client.get("/api/v1/bookmarks", headers=bob.headers)).json() == []
    response = await client.post(f"/api/v1/statuses/{public['id']}/unbookmark", headers=bob.headers)
    assert response.status_code == 200
    assert await count(runtime, Bookmark) == 0


async def test_bookmarking_a_boost_bookmarks_the_post(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    status = await post(client, alice, "original")
    boost = (
        await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    ).json()
    response = await client.post(f"/api/v1/statuses/{boost['id']}/bookmark", headers=carol.headers)
    assert response.json()["id"] == status["id"] and response.json()["bookmarked"] is True
    listed = (await client.get("/api/v1/bookmarks", headers=carol.headers)).json()
    assert [s["id"] for s in listed] == [status["id"]]
