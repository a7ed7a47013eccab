"""The Redis timeline store: one script call delivers a status to a whole batch of
timelines, with the rules a per-timeline delivery had; only live timelines get
deliveries, each capped; a Redis that would keep them as skiplists is reported. Always
on a real Redis (``REDIS_URL``) under a key prefix of its own."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from roost.core.db import Database
from roost.runtime import Runtime
from roost.timelines.cursors import now_seq
from roost.timelines.redis_store import RedisTimelineStore
from roost.timelines.store import Delivery, Fill
from tests.conftest import REDIS_URL, SCALED, AppClient, Scaled, free_port
from tests.redis_cluster import CLUSTER, async_client
from tests.timelines.helpers import follow, ids, post_in_order

TTL = 7 * 86400


async def make_store(
    url: str, db: Database, prefix: str, cap: int, *, cluster: bool = CLUSTER
) -> RedisTimelineStore:
    return RedisTimelineStore(async_client(url, cluster=cluster), db, prefix=prefix, cap=cap)


async def forget(store: RedisTimelineStore) -> None:
    keys = [key async for key in store.redis.scan_iter(match=f"{store.prefix}*", count=1000)]
    if keys:
        await store.redis.delete(*keys)
    await store.redis.aclose()


@pytest.fixture
async def store(runtime: Runtime, redis_prefix: str) -> AsyncIterator[RedisTimelineStore]:
    store = await make_store(REDIS_URL, runtime.db, f"{redis_prefix}deliver:", cap=3)
    yield store
    await forget(store)


async def make_live(store: RedisTimelineStore, *owners: int, head: int = 1) -> None:
    for owner in owners:
        await store.redis.set(store.keys(owner)[2], head)


async def timeline(store: RedisTimelineStore, owner: int) -> dict[int, int]:
    """status id -> seq."""
    rows = await store.redis.zrange(store.keys(owner)[0], 0, -1, withscores=True)
    return {int(member): int(score) for member, score in rows}


async def boosted(store: RedisTimelineStore, owner: int) -> dict[int, int]:
    """original id -> seq of the boost of it in the timeline."""
    rows = await store.redis.zrange(store.keys(owner)[1], 0, -1, withscores=True)
    return {int(member): int(score) for member, score in rows}


async def head(store: RedisTimelineStore, owner: int) -> int | None:
    value = await store.redis.get(store.keys(owner)[2])
    return int(value) if value is not None else None


async def test_one_call_reaches_live_timelines_once(store: RedisTimelineStore) -> None:
    fresh, idle, has_it, ahead = 101, 102, 103, 104
    await make_live(store, fresh, has_it)
    # A head ahead of the clock (entries delivered within one microsecond, or a clock
    # that stepped back): the next cursor still comes after it.
    far = now_seq() + 10**9
    await make_live(store, ahead, head=far)
    await store.deliver([has_it], Delivery(status_id=500, author_id=1))
    kept = await timeline(store, has_it)
    kept_head = await head(store, has_it)

    before = now_seq()
    added = await store.deliver(
        [ahead, idle, has_it, fresh, fresh], Delivery(status_id=500, author_id=1)
    )

    assert added == [fresh, ahead]
    assert await timeline(store, has_it) == kept  # not added again, cursor unchanged
    assert await head(store, has_it) == kept_head
    assert await store.redis.exists(*store.keys(idle)) == 0  # idle: nothing written
    [fresh_seq] = (await timeline(store, fresh)).values()
    assert fresh_seq >= before
    assert await head(store, fresh) == fresh_seq
    assert await timeline(store, ahead) == {500: far + 1}
    assert await head(store, ahead) == far + 1
    for key in store.keys(fresh)[::2]:  # the timeline and its head
        assert 0 < await store.redis.ttl(key) <= TTL


async def test_a_boost_is_skipped_where_its_original_already_is(
    store: RedisTimelineStore,
) -> None:
    has_original, has_other_boost, has_neither, original_author = 201, 202, 203, 204
    await make_live(store, has_original, has_other_boost, has_neither, original_author)
    await store.deliver([has_original], Delivery(status_id=600, author_id=original_author))
    first = Delivery(601, author_id=3, reblog_of_id=600, reblog_of_author_id=original_author)
    assert await store.deliver([has_other_boost], first) == [has_other_boost]

    second = Delivery(602, author_id=4, reblog_of_id=600, reblog_of_author_id=original_author)
    added = await store.deliver(
        [has_original, has_other_boost, has_neither, original_author], second
    )

    assert added == [has_neither]
    assert set(await timeline(store, has_original)) == {600}
    assert set(await timeline(store, has_other_boost)) == {601}
    seq = (await timeline(store, has_neither))[602]
    assert await boosted(store, has_neither) == {600: seq}
    assert 0 < await store.redis.ttl(store.keys(has_neither)[1]) <= TTL
    assert await timeline(store, original_author) == {}  # never their own post's boost


async def test_many_statuses_go_into_one_timeline_in_order_by_the_same_rules(
    store: RedisTimelineStore,
) -> None:
    """A read-time merge: one call, cursors in the order given, after every earlier one."""
    owner, idle, me = 251, 252, 253
    await make_live(store, owner)
    await store.deliver([owner], Delivery(status_id=800, author_id=7))
    [(_, earlier)] = (await timeline(store, owner)).items()

    await store.deliver_each(
        owner,
        [
            Delivery(status_id=801, author_id=8),
            Delivery(status_id=800, author_id=7),  # already there: keeps its place
            Delivery(802, author_id=8, reblog_of_id=800, reblog_of_author_id=7),  # original in
            Delivery(803, author_id=8, reblog_of_id=799, reblog_of_author_id=owner),  # own post
            Delivery(status_id=804, author_id=8),
        ],
    )
    await store.deliver_each(idle, [Delivery(status_id=805, author_id=8)])

    got = await timeline(store, owner)
    assert sorted(got, key=got.__getitem__) == [800, 801, 804]  # cap 3, in order
    assert got[800] == earlier < got[801] < got[804] == await head(store, owner)
    assert await store.redis.exists(*store.keys(idle)) == 0  # not live: nothing written
    # The cap trims here as in a fan-out: one more, and the oldest goes.
    await store.deliver_each(owner, [Delivery(status_id=806, author_id=8)])
    assert sorted(await timeline(store, owner)) == [801, 804, 806]
    await store.deliver_each(me, [])  # nothing to merge: no call


async def test_the_cap_trims_each_timeline_and_its_boosts(store: RedisTimelineStore) -> None:
    owners = [301, 302]
    await make_live(store, *owners)
    # A boost first, then three posts: the boost falls off each timeline (cap 3), and
    # with it the note that the original is in there.
    deliveries = [
        Delivery(status_id=701, author_id=5, reblog_of_id=700, reblog_of_author_id=6),
        *(Delivery(status_id=status, author_id=5) for status in (702, 703, 704)),
    ]
    for delivery in deliveries:
        assert await store.deliver(owners, delivery) == owners

    for owner in owners:
        assert sorted(await timeline(store, owner)) == [702, 703, 704]
        assert await boosted(store, owner) == {}
    # The original may arrive now: it is no longer in these timelines in any form.
    assert await store.deliver(owners, Delivery(status_id=700, author_id=6)) == owners


async def test_a_large_batch_returns_exactly_the_live_owners(
    store: RedisTimelineStore,
) -> None:
    owners = list(range(10_000, 11_000))
    live = owners[::3]
    await make_live(store, *live)
    added = await store.deliver(list(reversed(owners)), Delivery(status_id=800, author_id=7))
    assert added == live
    async with store.redis.pipeline(transaction=False) as pipe:
        for owner in owners:
            pipe.zscore(store.keys(owner)[0], 800)
        scores = await pipe.execute()
    assert [owner for owner, score in zip(owners, scores, strict=True) if score] == live


@pytest.fixture
def own_redis() -> Iterator[str]:
    """A Redis server of this test's own, whose script cache it may flush."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs this test: redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def ready(url: str) -> Redis:
    client = Redis.from_url(url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        try:
            await client.ping()
            return client
        except RedisConnectionError:
            await asyncio.sleep(0.02)  # the server is still starting
    raise AssertionError(f"{url} did not start")


async def test_delivery_and_fill_survive_a_script_flush(runtime: Runtime, own_redis: str) -> None:
    admin = await ready(own_redis)
    store = await make_store(own_redis, runtime.db, "roost:", cap=3, cluster=False)
    try:
        await make_live(store, 1, 2)
        assert await store.deliver([1, 2], Delivery(status_id=901, author_id=9)) == [1, 2]

        await admin.script_flush()  # as after a restart: Redis knows no script
        assert await store.deliver([1, 2], Delivery(status_id=902, author_id=9)) == [1, 2]
        await admin.script_flush()
        await store.fill(3, [Fill(status_id=903, seq=None)])

        assert set(await timeline(store, 1)) == {901, 902}
        assert set(await timeline(store, 3)) == {903}
        assert await head(store, 3) is not None  # the filled timeline is live
    finally:
        await store.redis.aclose()
        await admin.aclose()


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
