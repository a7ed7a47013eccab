"""The Redis circuit breaker (core/breaker.py): a Redis that does not answer costs one
timeout, then every command fails at once without being sent, until a probe after
the cool-off finds it again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlparse

import pytest
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from roost.core.breaker import Breaker, RedisUnavailable, guard
from tests.proxy import Proxy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def proxy(redis_url: str) -> AsyncIterator[Proxy]:
    target = urlparse(redis_url)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 6379)
    await proxy.start()
    yield proxy
    await proxy.stop()


def client(proxy: Proxy, breaker: Breaker) -> Redis:
    pool = ConnectionPool.from_url(f"redis://127.0.0.1:{proxy.port}/0", socket_timeout=0.2)
    return Redis.from_pool(guard(pool, breaker))


async def test_a_silent_redis_costs_one_timeout_then_nothing_is_sent(proxy: Proxy) -> None:
    clock = Clock()
    breaker = Breaker(cool_off=1.0, clock=clock)
    redis = client(proxy, breaker)
    try:
        assert await redis.ping()
        proxy.silence()  # as a paused Redis: the command goes out, no answer comes
        with pytest.raises(RedisTimeoutError):
            await redis.get("roost-test:breaker")
        assert breaker.is_open
        sent = proxy.received
        for _ in range(3):
            with pytest.raises(RedisUnavailable):
                await redis.get("roost-test:breaker")
        assert proxy.received == sent  # failed at once: nothing reached the wire

        clock.now += 1.0  # the cool-off is over: the next command is the probe
        with pytest.raises(RedisTimeoutError):
            await redis.get("roost-test:breaker")
        with pytest.raises(RedisUnavailable):  # the probe failed: open again
            await redis.get("roost-test:breaker")

        await proxy.restore()
        clock.now += 1.0
        assert await redis.ping()  # the probe reached Redis: closed
        assert not breaker.is_open
        assert await redis.ping()
    finally:
        await redis.aclose()


async def test_refused_connections_open_it_and_an_error_reply_counts_as_reachable(
    proxy: Proxy,
) -> None:
    clock = Clock()
    breaker = Breaker(cool_off=1.0, clock=clock)
    redis = client(proxy, breaker)
    try:
        await proxy.refuse()
        with pytest.raises(RedisConnectionError):
            await redis.ping()
        assert breaker.is_open
        await proxy.restore()
        clock.now += 1.0
        with pytest.raises(ResponseError):  # Redis answered, with an error
            await redis.execute_command("NO-SUCH-COMMAND")
        assert not breaker.is_open
    finally:
        await redis.aclose()
