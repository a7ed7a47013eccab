"""The scaled timelines: Redis as a cache that can be lost, idle timelines, the cap,
and hybrid fan-out for accounts too big to fan out to. These tests always use Redis
(ROOST_TEST_REDIS, or the local one) under a key prefix of their own."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from roost.core.runtime import Runtime
from roost.timelines import rebuild
from roost.timelines.redis_store import RedisTimelineStore
from tests.conftest import SCALED, AppClient, Scaled
from tests.factories import Factory, User
from tests.timelines.helpers import (
    HOME,
    follow,
    forget_everything,
    ids,
    link_cursor,
    make_big,
    post,
)


async def post_in_order(
    client: httpx.AsyncClient, runtime: Runtime, author: User, count: int
) -> list[str]:
    """Posts whose deliveries land in posting order (fan-outs may otherwise overtake)."""
    posted = []
    for n in range(count):
        posted.append(await post(client, author, f"post {n}"))
        await runtime.jobs.drain()
    return posted


async def test_lost_redis_rebuilds_every_timeline_from_sql(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, alice, bob)
    assert await ids(client, alice.headers) == []
    posted = await post_in_order(client, runtime, bob, 4)
    before = await ids(client, alice.headers)
    assert before == list(reversed(posted))

    await forget_everything(runtime)
    assert not await runtime.timelines.is_live(alice.account.id)
    assert await ids(client, alice.headers) == before  # no error, no "being prepared"

    again = await post(client, bob, "after the flush")
    await runtime.jobs.drain()
    assert await ids(client, alice.headers) == [again, *before]


async def test_rebuild_is_single_flight(scaled: Scaled, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime, client, factory = scaled
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, alice, bob)
    first = await post(client, bob, "hello")
    await forget_everything(runtime)
    rebuilds = 0
    real = rebuild._home_from_sql

    async def counted(runtime: Runtime, owner_id: int) -> list[rebuild.Fill]:
        nonlocal rebuilds
        rebuilds += 1
        await asyncio.sleep(0.1)  # a slow query, so the other readers pile up behind it
        return await real(runtime, owner_id)

    monkeypatch.setattr(rebuild, "_home_from_sql", counted)
    pages = await asyncio.gather(*(ids(client, alice.headers) for _ in range(10)))
    assert rebuilds == 1
    assert all(page == [first] for page in pages)


async def test_idle_timelines_get_no_deliveries_and_live_ones_are_capped(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    reader, idle, bob = [await factory.user(n) for n in ("reader", "idle", "bob")]
    await follow(runtime, reader, bob)
    await follow(runtime, idle, bob)
    assert await ids(client, reader.headers) == []  # reading makes a timeline live
    posted = await post_in_order(client, runtime, bob, 8)

    store = runtime.timelines
    assert isinstance(store, RedisTimelineStore)
    redis = store.redis
    assert not await redis.exists(*store.keys(idle.account.id))
    assert await redis.zcard(store.keys(reader.account.id)[0]) == 6
    assert await ids(client, reader.headers) == list(reversed(posted))[:6]
    # The idle reader's first read rebuilds from SQL: nothing was lost by skipping it.
    assert await ids(client, idle.headers) == list(reversed(posted))[:6]


async def test_big_accounts_are_merged_at_read_time_exactly_once(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    reader, star, friend = [await factory.user(n) for n in ("reader", "star", "friend")]
    await follow(runtime, reader, star, friend)
    await make_big(runtime, star.account.id)
    first = await client.get(HOME, headers=reader.headers)
    assert first.json() == []

    from_star = await post(client, star, "to my million followers")
    from_friend = await post(client, friend, "hi")
    await runtime.jobs.drain()
    store = runtime.timelines
    # Fan-out skipped the star's followers entirely...
    assert await store.seq_of(reader.account.id, int(from_star)) is None
    # ...and the reader's next read merges the post in, once, in visibility order.
    newer = await client.get(HOME, headers=reader.headers)
    assert set(s["id"] for s in newer.json()) == {from_star, from_friend}
    cursor = link_cursor(newer, "prev")
    assert await ids(client, reader.headers, min_id=cursor) == []
    later = await post(client, star, "again")
    assert await ids(client, reader.headers, min_id=cursor) == [later]
    assert (await ids(client, reader.headers)).count(from_star) == 1


async def test_big_accounts_are_merged_in_the_sql_store_too(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    runtime.settings.fanout_limit = 2
    reader, star = await factory.user("reader"), await factory.user("star")
    await follow(runtime, reader, star)
    await make_big(runtime, star.account.id)
    posted = await post(client, star, "hello everyone")
    await runtime.jobs.drain()
    assert await ids(client, reader.headers) == [posted]


async def test_a_redis_that_would_store_full_timelines_as_skiplists_is_reported(
    scaled: Scaled, app_client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    runtime, _, _ = scaled
    assert runtime.redis is not None
    setting = await runtime.redis.config_get("zset-max-listpack-entries")
    entries = int(setting["zset-max-listpack-entries"])
    assert isinstance(runtime.timelines, RedisTimelineStore)
    fits = RedisTimelineStore(runtime.redis, runtime.db, cap=entries)
    assert await fits.listpack_advice() is None

    with caplog.at_level("WARNING"):
        async with app_client(**{**SCALED, "timeline_cap": entries + 1}):
            pass
    assert f"zset-max-listpack-entries {entries}, below the timeline cap" in caplog.text
