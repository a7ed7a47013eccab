"""Filling home timelines outside fan-out: rebuilt from SQL when Redis lost them (once,
however many readers wait), and the posts of accounts too big to fan out to merged in
at read time, at no SQL cost when they posted nothing new. Most of these tests always
use Redis (``scaled``) under a key prefix of their own."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from roost.runtime import Runtime
from roost.timelines import rebuild
from tests.conftest import Scaled
from tests.factories import Factory
from tests.sql import statements
from tests.timelines.helpers import (
    HOME,
    follow,
    forget_everything,
    ids,
    link_cursor,
    make_big,
    post,
    post_in_order,
)


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
    real = rebuild.home_from_sql

    async def counted(runtime: Runtime, owner_id: int) -> list[rebuild.Fill]:
        nonlocal rebuilds
        rebuilds += 1
        await asyncio.sleep(0.1)  # a slow query, so the other readers pile up behind it
        return await real(runtime, owner_id)

    monkeypatch.setattr(rebuild, "home_from_sql", counted)
    pages = await asyncio.gather(*(ids(client, alice.headers) for _ in range(10)))
    assert rebuilds == 1
    assert all(page == [first] for page in pages)


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


async def test_a_warm_home_read_costs_a_few_statements_whatever_the_big_accounts(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    reader, star, friend = [await factory.user(n) for n in ("reader", "star", "friend")]
    await follow(runtime, reader, star, friend)
    await make_big(runtime, star.account.id)
    await ids(client, reader.headers)
    posted = [await post(client, star, "from the star"), await post(client, friend, "hi")]
    await runtime.jobs.drain()

    with statements(runtime) as first:
        assert set(await ids(client, reader.headers)) == set(posted)
    assert any("FROM statuses" in s and "account_id =" in s for s in first)  # merged
    # Another query string, so the page kept by the read above does not answer it and
    # the read runs: the same page, rendered again.
    with statements(runtime) as steady:
        assert set(await ids(client, reader.headers, limit=40)) == set(posted)
    # The token; the reader's relations; the counts and the reader's marks: nothing per
    # post, nothing about the big account, which has posted nothing since.
    assert len(steady) == 3, steady

    later = await post(client, star, "and again")
    page = await ids(client, reader.headers)
    assert page[0] == later and page.count(posted[0]) == 1
