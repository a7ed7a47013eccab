"""The SQL statements each hot read path runs, pinned as exact numbers.

Every path reads one realistic page: several authors, boosts, replies in a thread,
favourites (the reader's own among them), a followers-only post, a mention and posts
with pictures (one boosted), so a statement run per post, per author, per boost or
per picture would change the count. Each count is
taken twice: warm (the path was read once before, as on a busy server) and cold (the
caches of rendered posts and accounts emptied, as in a process that just started on a
Redis that lost them), which shows the cache-miss path is batched too.

The numbers differ by backend where the code does: with Redis configured the home
timeline lives in Redis, rendered accounts are cached there, and a home first page or
poll that is still true is answered from its kept copy without SQL. Without Redis
(SQLite or PostgreSQL) each rendered post's fixed part is still cached in-process.

One file for every feature rather than one per feature folder: the paths share the
scene, and side by side their numbers show what a read costs and where it differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.media_files import make_media, picture
from tests.sql import statements
from tests.timelines.helpers import link_cursor, post

HOME = "/api/v1/timelines/home"


@dataclass
class Scene:
    runtime: Runtime
    client: httpx.AsyncClient
    reader: User
    alice: User
    bob: User
    carol: User
    dave: User
    middle: str  # a reply in a thread, with a reply above and below it

    async def get(self, path: str, **params: Any) -> httpx.Response:
        response = await self.client.get(path, params=params, headers=self.reader.headers)
        assert response.status_code == 200, response.text
        return response

    async def count(self, path: str, **params: Any) -> tuple[list[str], httpx.Response]:
        with statements(self.runtime) as seen:
            response = await self.get(path, **params)
        return seen, response


async def act(client: httpx.AsyncClient, who: User, path: str) -> None:
    response = await client.post(path, headers=who.headers)
    assert response.status_code == 200, response.text


@pytest.fixture
async def scene(client: httpx.AsyncClient, runtime: Runtime, factory: Factory) -> Scene:
    reader, alice, bob, carol, dave = [
        await factory.user(name) for name in ("reader", "alice", "bob", "carol", "dave")
    ]
    for author in (alice, bob, carol):
        await act(client, reader, f"/api/v1/accounts/{author.id}/follow")
    await act(client, dave, f"/api/v1/accounts/{reader.id}/follow")

    async def pictures(who: User, count: int) -> list[str]:
        made = [
            await make_media(runtime, who.id, data=picture(8 + n, 8, (n * 60, 90, 30)))
            for n in range(count)
        ]
        return [str(m.id) for m in made]

    mine = await post(client, reader, "my own #roost post", media_ids=await pictures(reader, 2))
    thread = await post(client, alice, "a thread about #roost", media_ids=await pictures(alice, 1))
    elsewhere = await post(client, dave, "from someone the reader does not follow #roost")
    for n in range(3):
        await post(client, alice, f"alice {n} #roost", media_ids=await pictures(alice, n))
        await post(client, bob, f"bob {n}")
        await post(client, carol, f"carol {n} #roost")
    await post(client, carol, "for followers only", visibility="private")
    first = await post(client, bob, "@alice a reply", in_reply_to_id=thread)
    middle = await post(
        client, carol, "@bob a reply to the reply", in_reply_to_id=first,
        media_ids=await pictures(carol, 1),
    )  # fmt: skip
    deeper = await post(client, alice, "@carol deeper #roost", in_reply_to_id=middle)
    await act(client, carol, f"/api/v1/statuses/{elsewhere}/reblog")
    await act(client, bob, f"/api/v1/statuses/{mine}/reblog")
    await act(client, alice, f"/api/v1/statuses/{middle}/reblog")
    await post(client, dave, "@carol me too", in_reply_to_id=middle)
    for fan, status in [
        *((fan, thread) for fan in (reader, bob, carol)),
        (bob, elsewhere),
        (reader, elsewhere),
        (reader, deeper),
        (alice, mine),
    ]:
        await act(client, fan, f"/api/v1/statuses/{status}/favourite")
    await post(client, dave, "@reader hello from someone you do not follow")
    await post(client, carol, "@reader have a look at this", media_ids=await pictures(carol, 4))
    await runtime.jobs.drain()
    return Scene(runtime, client, reader, alice, bob, carol, dave, middle)


async def empty_caches(runtime: Runtime) -> None:
    """Forget every rendered post, account and kept home page, in this process and in
    Redis (timelines and versions stay)."""
    runtime.statuses._local.clear()
    if runtime.redis is None:
        return
    assert runtime.page_cache is not None
    runtime.page_cache._local.clear()
    prefix = runtime.settings.redis_prefix
    for pattern in ("st:*", "acct:*", "hp:*"):
        keys = [key async for key in runtime.redis.scan_iter(match=prefix + pattern)]
        if keys:
            await runtime.redis.delete(*keys)


def pinned(runtime: Runtime, *, embedded: int, redis: int) -> int:
    """The count for this run's backend: with Redis configured, or without."""
    return redis if runtime.redis is not None else embedded


def shown(seen: list[str]) -> str:
    """The statements, one a line and shortened, for a failed count's message."""
    return "\n".join(" ".join(s.split())[:160] for s in seen)


def authors(page: list[dict[str, Any]]) -> set[str]:
    """The authors a page of statuses shows, boosted ones included."""
    return {s["account"]["id"] for s in page} | {
        s["reblog"]["account"]["id"] for s in page if s.get("reblog")
    }


def pictured(statuses: list[dict[str, Any]]) -> int:
    """How many of ``statuses`` (boosted posts counted in) show pictures."""
    return sum(bool((s.get("reblog") or s)["media_attachments"]) for s in statuses)


async def prepare(scene: Scene, caches: str) -> None:
    """Before a counted read: no job left to run beside it, and the caches asked for."""
    await scene.runtime.jobs.drain()
    if caches == "cold":
        await empty_caches(scene.runtime)


CACHES = pytest.mark.parametrize("caches", ["warm", "cold"])


@CACHES
async def test_home_first_page(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    first = (await scene.get(HOME, limit=8)).json()
    if runtime.redis is not None:
        # Still true: answered from the kept page, before any route or SQL.
        seen, _ = await scene.count(HOME, limit=8)
        assert seen == [], shown(seen)
    # Someone favourites the newest post: the kept page no longer holds, so the read
    # below renders (without Redis every read renders; this changes nothing there).
    await act(scene.client, scene.dave, f"/api/v1/statuses/{first[0]['id']}/favourite")
    await prepare(scene, caches)
    seen, response = await scene.count(HOME, limit=8)
    page = response.json()
    assert [s["id"] for s in page] == [s["id"] for s in first]
    assert page[0]["favourites_count"] == first[0]["favourites_count"] + 1
    assert len(authors(page)) >= 4 and any(s["reblog"] for s in page)
    assert any(s["visibility"] == "private" for s in page)
    assert any(s["in_reply_to_id"] for s in page) and any(s["favourited"] for s in page)
    assert pictured(page) >= 2
    # The token; the reader's relations (blocks, mutes, big accounts) in one; [without
    # Redis] the page of timeline entries; whether the reader follows the author of
    # the followers-only post; counts and the reader's marks of every post shown;
    # [without Redis, or cold] their authors. Cold adds the posts' fixed parts:
    # statuses with their pictures (one statement), mentions, tags, apps, once for
    # the page and once for boosted posts.
    expected = {
        "warm": pinned(runtime, embedded=6, redis=4),
        "cold": pinned(runtime, embedded=14, redis=13),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_home_next_page(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    older = link_cursor(await scene.get(HOME, limit=8), "next")
    await scene.get(HOME, limit=8, max_id=older)  # never kept: every read renders
    await prepare(scene, caches)
    seen, response = await scene.count(HOME, limit=8, max_id=older)
    page = response.json()
    assert len(page) == 8 and len(authors(page)) >= 3
    # The token; the reader's relations; [without Redis] the page of entries; counts
    # and marks; [without Redis, or cold] authors. Cold adds the posts' fixed parts
    # (statuses with their pictures, mentions, tags, apps).
    expected = {
        "warm": pinned(runtime, embedded=5, redis=3),
        "cold": pinned(runtime, embedded=9, redis=8),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_home_poll(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    newest = link_cursor(await scene.get(HOME, limit=8), "prev")
    new = [
        await post(scene.client, scene.bob, "news"),
        await post(scene.client, scene.carol, "too"),
    ]
    await runtime.jobs.drain()
    await prepare(scene, caches)
    seen, response = await scene.count(HOME, limit=8, min_id=newest)
    assert [s["id"] for s in response.json()] == new[::-1]
    # The token; the reader's relations; [without Redis] the entries above min_id;
    # counts and marks; [without Redis, or cold] authors. Cold adds the two posts'
    # fixed parts (statuses with their pictures, mentions, tags, apps).
    expected = {
        "warm": pinned(runtime, embedded=5, redis=3),
        "cold": pinned(runtime, embedded=9, redis=8),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_public_timeline(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    await scene.get("/api/v1/timelines/public", limit=8)
    await prepare(scene, caches)
    seen, response = await scene.count("/api/v1/timelines/public", limit=8)
    page = response.json()
    assert len(page) == 8 and len(authors(page)) >= 4 and pictured(page) >= 3
    # The token; the reader's relations (follows, blocks, mutes) in one; the page of
    # statuses; which of them mention the reader; counts and marks; [without Redis, or
    # cold] authors. Cold adds the fixed parts (statuses with their pictures, mentions, tags, apps).
    expected = {
        "warm": pinned(runtime, embedded=6, redis=5),
        "cold": pinned(runtime, embedded=10, redis=10),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_tag_timeline(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    await scene.get("/api/v1/timelines/tag/roost", limit=8)
    await prepare(scene, caches)
    seen, response = await scene.count("/api/v1/timelines/tag/roost", limit=8)
    page = response.json()
    assert len(page) == 8 and len(authors(page)) >= 3
    assert all("roost" in [t["name"] for t in s["tags"]] for s in page)
    assert pictured(page) >= 2
    # As the public timeline: the token; relations; the page; mentions of the reader;
    # counts and marks; [without Redis, or cold] authors; cold: the fixed parts.
    expected = {
        "warm": pinned(runtime, embedded=6, redis=5),
        "cold": pinned(runtime, embedded=10, redis=10),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_account_statuses(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    path = f"/api/v1/accounts/{scene.alice.id}/statuses"
    await scene.get(path, limit=8)
    await prepare(scene, caches)
    seen, response = await scene.count(path, limit=8)
    page = response.json()
    assert len(page) == 6 and any(s["reblog"] for s in page) and len(authors(page)) >= 2
    assert pictured(page) >= 3
    # The token; the account; the reader's relations; the page of statuses; the posts
    # its boosts boost; mentions of the reader; counts and marks; [without Redis, or
    # cold] authors. Cold adds the fixed parts (statuses with their pictures, mentions,
    # tags, apps), once for the page and once for the boosted post.
    expected = {
        "warm": pinned(runtime, embedded=8, redis=7),
        "cold": pinned(runtime, embedded=16, redis=16),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_thread(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    path = f"/api/v1/statuses/{scene.middle}/context"
    await scene.get(path)
    await prepare(scene, caches)
    seen, response = await scene.count(path)
    context = response.json()
    assert len(context["ancestors"]) == 2 and len(context["descendants"]) == 2
    assert pictured(context["ancestors"]) == 1
    # The token; the status, then the reader's relations to its author and whether it
    # mentions the reader (may the reader see it?); the ancestors; the descendants;
    # relations and mentions again for the ancestors, and again for the descendants;
    # counts and marks of all; [without Redis, or cold] their authors. Cold adds the
    # fixed parts (statuses with their pictures, mentions, tags, apps).
    expected = {
        "warm": pinned(runtime, embedded=12, redis=11),
        "cold": pinned(runtime, embedded=16, redis=16),
    }
    assert len(seen) == expected[caches], shown(seen)


@CACHES
async def test_notifications(scene: Scene, caches: str) -> None:
    runtime = scene.runtime
    await scene.get("/api/v1/notifications", limit=8)
    await prepare(scene, caches)
    seen, response = await scene.count("/api/v1/notifications", limit=8)
    page = response.json()
    assert {n["type"] for n in page} == {"follow", "reblog", "favourite", "mention"}
    assert len({n["account"]["id"] for n in page}) >= 3
    assert pictured([n["status"] for n in page if n["status"]]) >= 2
    # The token; whom the reader blocks or is blocked by; whom the reader mutes with
    # notifications hidden; the page; the accounts that acted (always from SQL); the
    # statuses; counts and marks; [without Redis, or cold] the statuses' authors. Cold
    # adds the fixed parts (statuses with their pictures, mentions, tags, apps).
    expected = {
        "warm": pinned(runtime, embedded=8, redis=7),
        "cold": pinned(runtime, embedded=12, redis=12),
    }
    assert len(seen) == expected[caches], shown(seen)
