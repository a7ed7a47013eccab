"""The event bus, in-process and over Redis pub/sub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis, RedisCluster

from roost.streaming import bus as bus_module
from roost.streaming.bus import (
    Bus,
    LocalBus,
    RedisBus,
    Subscription,
    channel_prefix,
    make_bus,
)
from tests.redis_cluster import async_client
from tests.streaming.conftest import REDIS_URL, _delete_keys


@pytest.fixture(params=["local", "redis"])
async def bus(request: pytest.FixtureRequest, redis: Redis, prefix: str) -> AsyncIterator[Bus]:
    made: Bus = LocalBus() if request.param == "local" else RedisBus(redis, prefix)
    yield made
    await made.close()
    await _delete_keys(redis, prefix)


async def nothing_more(subscription: Subscription) -> None:
    assert await subscription.get(wait=0.2) is None


async def test_a_subscriber_gets_what_is_published_on_its_channels_only(bus: Bus) -> None:
    async with bus.subscribe(["user:1", "public"]) as subscription:
        await bus.publish("user:2", {"event": "update", "id": "9"})
        await bus.publish("user:1", {"event": "update", "id": "10"})
        await bus.publish("public", {"event": "update", "id": "11"})
        assert await subscription.get(wait=5) == ("user:1", {"event": "update", "id": "10"})
        assert await subscription.get(wait=5) == ("public", {"event": "update", "id": "11"})
        await nothing_more(subscription)


async def test_every_subscriber_of_a_channel_gets_each_message_and_leaving_stops_it(
    bus: Bus,
) -> None:
    async with bus.subscribe(["public"]) as first:
        async with bus.subscribe(["public"]) as second:
            await bus.publish("public", {"id": "1"})
            assert await first.get(wait=5) == ("public", {"id": "1"})
            assert await second.get(wait=5) == ("public", {"id": "1"})
        await bus.publish("public", {"id": "2"})
        assert await first.get(wait=5) == ("public", {"id": "2"})
        assert second.closed
        with pytest.raises(StopAsyncIteration):
            await second.get(wait=0.1)


async def test_one_message_on_many_channels_reaches_the_subscribers_of_each(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How a fan-out tells the streams of everyone a post was new to: most channels
    have nobody listening; those that do, across batches, each get the message once."""
    monkeypatch.setattr(bus_module, "PUBLISH_BATCH", 7)
    channels = [f"user:{n}" for n in range(30)]
    message = {"event": "update", "id": "5"}
    async with bus.subscribe(["user:3"]) as one, bus.subscribe(["user:3", "user:29"]) as two:
        await bus.publish_each(channels, message)
        assert await one.get(wait=5) == ("user:3", message)
        got = [await two.get(wait=5), await two.get(wait=5)]
        assert got == [("user:3", message), ("user:29", message)]
        await nothing_more(one)
        await nothing_more(two)


async def test_channels_can_be_added_and_removed_while_open(bus: Bus) -> None:
    async with bus.subscribe([]) as subscription:
        await subscription.add("hashtag:cats")
        await bus.publish("hashtag:cats", {"id": "1"})
        assert await subscription.get(wait=5) == ("hashtag:cats", {"id": "1"})
        subscription.remove("hashtag:cats")
        await subscription.add("hashtag:dogs")
        await bus.publish("hashtag:cats", {"id": "2"})
        await bus.publish("hashtag:dogs", {"id": "3"})
        assert await subscription.get(wait=5) == ("hashtag:dogs", {"id": "3"})
        await nothing_more(subscription)
        assert subscription.channels == {"hashtag:dogs"}


async def test_iterating_yields_events_in_order(bus: Bus) -> None:
    async with bus.subscribe(["delete"]) as subscription:
        await bus.publish_many([("delete", {"id": str(n)}) for n in range(5)])
        seen = []
        async for _channel, message in subscription:
            seen.append(message["id"])
            if len(seen) == 5:
                break
        assert seen == ["0", "1", "2", "3", "4"]


async def test_a_subscriber_that_falls_too_far_behind_is_cut_off(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bus_module, "MAX_PENDING", 3)
    async with bus.subscribe(["public"]) as slow, bus.subscribe(["public"]) as fast:
        for n in range(3):
            await bus.publish("public", {"id": str(n)})
            assert await fast.get(wait=5) == ("public", {"id": str(n)})
        await bus.publish("public", {"id": "3"})
        assert await fast.get(wait=5) == ("public", {"id": "3"})
        with pytest.raises(StopAsyncIteration):
            await slow.get(wait=1)
        assert [event async for event in slow] == []


async def test_the_runtime_picks_the_bus(redis: Redis) -> None:
    assert isinstance(make_bus(None, "x:"), LocalBus)
    assert isinstance(make_bus(redis, "x:"), RedisBus)


async def test_redis_carries_messages_between_processes(redis: Redis, prefix: str) -> None:
    """Two buses on separate connections stand for two API processes."""
    other = async_client(REDIS_URL)
    here, there = RedisBus(redis, prefix), RedisBus(other, prefix)
    stranger = RedisBus(other, prefix + "other:")
    try:
        async with there.subscribe(["user:7"]) as far, stranger.subscribe(["user:7"]) as apart:
            await here.publish("user:7", {"event": "update", "id": "42"})
            assert await far.get(wait=5) == ("user:7", {"event": "update", "id": "42"})
            assert await apart.get(wait=0.3) is None  # another prefix: another deployment
    finally:
        for made in (here, there, stranger):
            await made.close()
        await other.aclose()


async def test_redis_publishes_to_many_channels_of_another_process(
    redis: Redis, prefix: str
) -> None:
    other = async_client(REDIS_URL)
    here, there = RedisBus(redis, prefix), RedisBus(other, prefix)
    try:
        async with there.subscribe(["user:2"]) as far:
            await here.publish_each(["user:1", "user:2", "user:3"], {"id": "8"})
            assert await far.get(wait=5) == ("user:2", {"id": "8"})
            with pytest.raises(ValueError):
                await here.publish_each(["user:1\nuser:2"], {"id": "9"})
            assert await far.get(wait=0.3) is None
    finally:
        for made in (here, there):
            await made.close()
        await other.aclose()


async def test_redis_subscribes_once_per_process_and_unsubscribes_when_unused(
    redis: Redis, prefix: str
) -> None:
    bus = RedisBus(redis, prefix)
    channel = f"{channel_prefix(prefix)}public"

    async def subscribers() -> int:
        """Redis's count of the channel's subscribers (sharded channels: on a cluster,
        where they are, the master that owns the channel's slot)."""
        if isinstance(redis, RedisCluster):
            await redis.initialize()
            owner = redis.get_node_from_key(channel)
            counts = await redis.execute_command("PUBSUB SHARDNUMSUB", channel, target_nodes=owner)
        else:
            counts = await redis.pubsub_shardnumsub(channel)
        return int(counts[0][1])

    try:
        async with bus.subscribe(["public"]), bus.subscribe(["public"]):
            assert await subscribers() == 1  # one connection for all the streams
        for _ in range(50):
            if await subscribers() == 0:
                break
            await asyncio.sleep(0.05)
        assert await subscribers() == 0
        async with bus.subscribe(["public"]) as again:  # and back again
            await bus.publish("public", {"id": "1"})
            assert await again.get(wait=5) == ("public", {"id": "1"})
    finally:
        await bus.close()


async def test_malformed_redis_messages_are_ignored(redis: Redis, prefix: str) -> None:
    bus = RedisBus(redis, prefix)
    try:
        async with bus.subscribe(["public"]) as subscription:
            await redis.spublish(f"{channel_prefix(prefix)}public", b"not json")
            await bus.publish("public", {"id": "1"})
            assert await subscription.get(wait=5) == ("public", {"id": "1"})
    finally:
        await bus.close()
