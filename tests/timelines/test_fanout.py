"""Fan-out: who receives a post in their home timeline (timelines/fanout.py)."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.timelines.helpers import follow, ids, post


async def test_own_post_is_home_at_once(client: httpx.AsyncClient, factory: Factory) -> None:
    bob = await factory.user("bob")
    status_id = await post(client, bob, "mine")
    # No waiting for jobs: read-your-writes.
    assert await ids(client, bob.headers) == [status_id]


async def test_fan_out_respects_visibility(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    bob, alice, dave, carol = [await factory.user(n) for n in ("bob", "alice", "dave", "carol")]
    await follow(runtime, alice, bob)
    await follow(runtime, dave, bob)
    public = await post(client, bob, "for everyone")
    private = await post(client, bob, "followers only", visibility="private")
    direct = await post(client, bob, "@carol just you", visibility="direct")
    await runtime.jobs.drain()

    for follower in (alice, dave):
        assert await ids(client, follower.headers) == [private, public]
    assert await ids(client, carol.headers) == [direct]
    assert await ids(client, bob.headers) == [direct, private, public]


async def test_replies_reach_only_those_who_follow_both(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    bob, eve, alice, frank = [await factory.user(n) for n in ("bob", "eve", "alice", "frank")]
    await follow(runtime, alice, bob)
    await follow(runtime, frank, bob, eve)
    parent = await post(client, eve, "a question")
    reply = await post(client, bob, "@eve an answer", in_reply_to_id=parent)
    await runtime.jobs.drain()
    assert reply not in await ids(client, alice.headers)
    assert reply in await ids(client, frank.headers)


async def test_a_reply_to_you_from_someone_you_follow_reaches_your_home(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    mine = await post(client, reader, "a question")
    assert await ids(client, reader.headers) == [mine]  # live: fan-out decides from here
    reply = await post(client, alice, "@reader an answer", in_reply_to_id=mine)
    await runtime.jobs.drain()
    assert await ids(client, reader.headers) == [reply, mine]
