"""Trends: tags ranked by how many people used them lately, with a week of history;
posts ranked by boosts and favourites, minus what the viewer may not or will not see;
links empty (Roost makes no link previews)."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.discovery.posts import post_ago
from tests.factories import Factory


async def test_tags_ranked_by_people_not_posts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    # #spam: one person, many posts. #garden: three people. #cats: two people.
    for _ in range(5):
        await post_ago(runtime, alice, days=0.1, tags=["spam"])
    for person in (alice, bob, carol):
        await post_ago(runtime, person, days=0.2, tags=["Garden"])
    for person in (alice, bob):
        await post_ago(runtime, person, days=0.3, tags=["cats"])
    # Old, private and unlisted uses do not trend.
    for person in (alice, bob, carol):
        await post_ago(runtime, person, days=5, tags=["oldnews"])
        await post_ago(runtime, person, days=0.1, tags=["secret"], visibility="private")
        await post_ago(runtime, person, days=0.1, tags=["quiet"], visibility="unlisted")

    response = await client.get("/api/v1/trends/tags")
    assert response.status_code == 200
    tags = response.json()
    assert [t["name"] for t in tags] == ["Garden", "cats", "spam"]
    assert tags[0]["url"] == "http://localhost/tags/garden"
    history = tags[0]["history"]
    assert len(history) == 7
    days = [int(h["day"]) for h in history]
    assert days == sorted(days, reverse=True) and days[0] - days[1] == 86400
    # The three uses were today or yesterday (0.2 days ago may cross midnight).
    assert sum(int(h["uses"]) for h in history[:2]) == 3
    assert max(int(h["accounts"]) for h in history) <= 3
    spam = tags[2]["history"]
    assert sum(int(h["uses"]) for h in spam) == 5
    assert all(int(h["accounts"]) <= 1 for h in spam)
    # The deprecated path answers the same.
    assert (await client.get("/api/v1/trends")).json() == tags


async def test_tag_history_counts_the_week(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await post_ago(runtime, alice, days=0, tags=["garden"])
    await post_ago(runtime, alice, days=3, tags=["garden"])
    await post_ago(runtime, bob, days=3, tags=["garden"])
    await post_ago(runtime, bob, days=10, tags=["garden"])  # outside the week
    (tag,) = (await client.get("/api/v1/trends/tags")).json()
    assert sum(int(h["uses"]) for h in tag["history"]) == 3
    assert tag["history"][0] == {**tag["history"][0], "uses": "1", "accounts": "1"}
    assert {"uses": "2", "accounts": "2"}.items() <= tag["history"][3].items()


async def test_tags_limit_offset_and_link(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    for name in ("a1", "b2", "c3"):
        await post_ago(runtime, alice, days=0.1, tags=[name])
    first = await client.get("/api/v1/trends/tags", params={"limit": 2})
    assert [t["name"] for t in first.json()] == ["a1", "b2"]  # ties: by name
    assert first.links["next"]["url"] == "http://localhost/api/v1/trends/tags?limit=2&offset=2"
    assert "prev" not in first.links
    second = await client.get("/api/v1/trends/tags", params={"limit": 2, "offset": 2})
    assert [t["name"] for t in second.json()] == ["c3"]
    assert "next" not in second.links
    assert second.links["prev"]["url"].endswith("offset=0")
    assert len((await client.get("/api/v1/trends/tags", params={"limit": 500})).json()) == 3
    bad = await client.get("/api/v1/trends/tags", params={"offset": -1})
    assert bad.status_code == 422 and "error" in bad.json()


async def test_statuses_ranked_by_boosts_and_favourites(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol, dave = [await factory.user(n) for n in ("alice", "bob", "carol", "dave")]
    liked = await post_ago(runtime, alice, days=0.1, text="liked")
    loved = await post_ago(runtime, bob, days=0.2, text="loved")
    ignored = await post_ago(runtime, carol, days=0.1, text="nobody cares")
    stale = await post_ago(runtime, carol, days=6, text="old")
    hidden = await post_ago(runtime, carol, days=0.1, text="followers", visibility="private")
    for status_id, fans in ((liked, [dave]), (loved, [carol, dave]), (stale, [dave])):
        for fan in fans:
            favourite = await client.post(
                f"/api/v1/statuses/{status_id}/favourite", headers=fan.headers
            )
            assert favourite.status_code == 200
    boost = await client.post(f"/api/v1/statuses/{loved}/reblog", headers=dave.headers)
    assert boost.status_code == 200
    await client.post(f"/api/v1/statuses/{hidden}/favourite", headers=carol.headers)

    anonymous = (await client.get("/api/v1/trends/statuses")).json()
    assert [s["id"] for s in anonymous] == [str(loved), str(liked)]
    assert anonymous[0]["reblogs_count"] == 1 and anonymous[0]["favourites_count"] == 2
    assert str(ignored) not in {s["id"] for s in anonymous}

    # Dave sees his own favourite marked; Alice blocks Bob, so Bob's post is gone for her.
    mine = (await client.get("/api/v1/trends/statuses", headers=dave.headers)).json()
    assert mine[0]["favourited"] is True and mine[0]["reblogged"] is True
    assert (await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)).is_success
    assert [
        s["id"] for s in (await client.get("/api/v1/trends/statuses", headers=alice.headers)).json()
    ] == [str(liked)]
    # ...and for Bob, whom she blocked, her post is gone (blocks work both ways).
    assert [
        s["id"] for s in (await client.get("/api/v1/trends/statuses", headers=bob.headers)).json()
    ] == [str(loved)]
    # Carol mutes Alice.
    assert (
        await client.post(f"/api/v1/accounts/{alice.id}/mute", headers=carol.headers)
    ).is_success
    assert [
        s["id"] for s in (await client.get("/api/v1/trends/statuses", headers=carol.headers)).json()
    ] == [str(loved)]

    paged = await client.get("/api/v1/trends/statuses", params={"limit": 1, "offset": 1})
    assert [s["id"] for s in paged.json()] == [str(liked)]


async def test_no_link_trends_without_cards(client: httpx.AsyncClient) -> None:
    """Nothing was shared: an empty list (tests/cards/test_cards.py ranks real ones)."""
    response = await client.get("/api/v1/trends/links", params={"limit": 5})
    assert response.status_code == 200
    assert response.json() == []
    assert "link" not in response.headers
