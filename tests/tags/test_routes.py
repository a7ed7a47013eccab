"""Followed hashtags over the API: follow, unfollow, the Tag entity, and posts with a
followed tag in home (both stores)."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.timelines.helpers import follow, link_cursor, post


async def home_ids(client: httpx.AsyncClient, owner: User) -> list[str]:
    response = await client.get("/api/v1/timelines/home", headers=owner.headers)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def test_follow_unfollow_and_the_tag_entity(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    ada = await factory.user("ada")
    followed = await client.post("/api/v1/tags/Cats/follow", headers=ada.headers)
    assert followed.status_code == 200
    assert followed.json()["name"] == "Cats"
    assert followed.json()["following"] is True
    assert followed.json()["url"].endswith("/tags/cats")
    again = await client.post("/api/v1/tags/cats/follow", headers=ada.headers)
    assert again.status_code == 200  # as on Mastodon since 4.1: no error
    shown = await client.get("/api/v1/tags/cats", headers=ada.headers)
    assert shown.json()["following"] is True
    assert "following" not in (await client.get("/api/v1/tags/cats")).json()

    listed = await client.get("/api/v1/followed_tags", headers=ada.headers)
    assert [t["name"] for t in listed.json()] == ["Cats"]

    unfollowed = await client.post("/api/v1/tags/cats/unfollow", headers=ada.headers)
    assert unfollowed.json()["following"] is False
    assert (await client.get("/api/v1/followed_tags", headers=ada.headers)).json() == []
    assert (await client.get("/api/v1/tags/cats", headers=ada.headers)).json()["following"] is False

    bad = await client.post("/api/v1/tags/no%20tag/follow", headers=ada.headers)
    assert bad.status_code == 422
    assert (
        await client.post("/api/v1/tags/unknown/unfollow", headers=ada.headers)
    ).status_code == 404
    assert (await client.post("/api/v1/tags/cats/follow")).status_code == 401
    assert (await client.get("/api/v1/followed_tags")).status_code == 401


async def test_followed_tags_page_with_link(client: httpx.AsyncClient, factory: Factory) -> None:
    ada = await factory.user("ada")
    for name in ("one", "two", "three"):
        await client.post(f"/api/v1/tags/{name}/follow", headers=ada.headers)
    first = await client.get("/api/v1/followed_tags", params={"limit": 2}, headers=ada.headers)
    assert [t["name"] for t in first.json()] == ["three", "two"]
    cursor = link_cursor(first, "next")
    assert cursor is not None
    rest = await client.get(
        "/api/v1/followed_tags", params={"limit": 2, "max_id": cursor}, headers=ada.headers
    )
    assert [t["name"] for t in rest.json()] == ["one"]


async def test_search_marks_followed_tags(client: httpx.AsyncClient, factory: Factory) -> None:
    ada = await factory.user("ada")
    await post(client, ada, "#cats #catsofroost")
    await client.post("/api/v1/tags/cats/follow", headers=ada.headers)
    found = await client.get(
        "/api/v2/search", params={"q": "#cats", "type": "hashtags"}, headers=ada.headers
    )
    following = {t["name"]: t["following"] for t in found.json()["hashtags"]}
    assert following == {"cats": True, "catsofroost": False}


async def test_public_posts_with_a_followed_tag_enter_home_once(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await home_ids(client, ada)  # live, with Redis
    await follow(runtime, ada, bob)
    await client.post("/api/v1/tags/cats/follow", headers=ada.headers)
    await client.post("/api/v1/tags/dogs/follow", headers=ada.headers)
    both = await post(client, bob, "#cats and #dogs by someone followed")
    stranger = await post(client, cy, "#cats #dogs from a stranger")
    unlisted = await post(client, cy, "#cats quietly", visibility="unlisted")
    private = await post(client, cy, "#cats for followers", visibility="private")
    untagged = await post(client, cy, "no tag")
    boost = await client.post(f"/api/v1/statuses/{stranger}/reblog", headers=bob.headers)
    assert boost.status_code == 200
    await runtime.jobs.drain()
    shown = await home_ids(client, ada)
    assert sorted(shown) == sorted([both, stranger])  # each once; the boost adds nothing
    assert unlisted not in shown and private not in shown and untagged not in shown


async def test_blocks_and_mutes_shut_tagged_posts_out(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await home_ids(client, ada)
    await client.post("/api/v1/tags/cats/follow", headers=ada.headers)
    await client.post(f"/api/v1/accounts/{bob.id}/block", headers=ada.headers)
    await client.post(f"/api/v1/accounts/{cy.id}/mute", headers=ada.headers)
    await post(client, bob, "#cats blocked")
    await post(client, cy, "#cats muted")
    await runtime.jobs.drain()
    assert await home_ids(client, ada) == []


async def test_following_a_tag_back_fills_its_recent_posts(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, cy = await factory.user("ada"), await factory.user("cy")
    await home_ids(client, ada)
    earlier = await post(client, cy, "#cats earlier")
    await post(client, cy, "#cats kept to followers", visibility="private")
    await runtime.jobs.drain()
    assert await home_ids(client, ada) == []
    await client.post("/api/v1/tags/cats/follow", headers=ada.headers)
    await runtime.jobs.drain()
    assert await home_ids(client, ada) == [earlier]


async def test_unfollowing_a_tag_takes_its_posts_out_of_home_but_not_followed_peoples(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await home_ids(client, ada)
    await follow(runtime, ada, bob)
    await client.post("/api/v1/tags/cats/follow", headers=ada.headers)
    await client.post("/api/v1/tags/dogs/follow", headers=ada.headers)
    by_bob = await post(client, bob, "#cats from someone followed")
    by_cy = await post(client, cy, "#cats from a stranger")
    both = await post(client, cy, "#cats #dogs from a stranger")
    await runtime.jobs.drain()
    assert sorted(await home_ids(client, ada)) == sorted([by_bob, by_cy, both])
    await client.post("/api/v1/tags/cats/unfollow", headers=ada.headers)
    await runtime.jobs.drain()
    # Still admitted: bob is followed, and the other post has a tag still followed.
    assert sorted(await home_ids(client, ada)) == sorted([by_bob, both])
