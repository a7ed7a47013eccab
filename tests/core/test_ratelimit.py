"""Rate limits in Redis hold across API processes; an unreachable Redis fails open.

Each API process builds its own ``RateLimiter`` on its own Redis client: two of them
on one key prefix stand for two processes of one deployment. These tests run on Redis
whatever the suite's mode (``redis_url`` in tests/core/conftest.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from roost.core.errors import RateLimited
from roost.core.ratelimit import RateLimiter
from roost.core.settings import Settings
from tests.conftest import free_port
from tests.redis_cluster import async_client

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def settings(settings: Settings, redis_url: str, prefix: str) -> Settings:
    return settings.model_copy(
        update={"redis_url": redis_url, "redis_prefix": prefix, "rate_limits": True}
    )


@pytest.fixture
async def connect(redis_url: str) -> AsyncIterator[list[Redis]]:
    """Redis clients the test opens (one per simulated process), closed afterwards."""
    clients: list[Redis] = []
    yield clients
    for client in clients:
        await client.aclose()


def process_limiter(clients: list[Redis], url: str, prefix: str) -> RateLimiter:
    """The limiter another API process would build: its own client and pool."""
    client = async_client(url)
    clients.append(client)
    return RateLimiter(enabled=True, redis=client, prefix=prefix)


async def test_two_processes_on_one_prefix_share_the_count(
    redis_url: str, prefix: str, connect: list[Redis]
) -> None:
    first = process_limiter(connect, redis_url, prefix)
    second = process_limiter(connect, redis_url, prefix)
    for _ in range(5):  # login allows 10 in 5 minutes
        await first.hit("login_account", "203.0.113.7")
        await second.hit("login_account", "203.0.113.7")
    with pytest.raises(RateLimited):
        await first.hit("login_account", "203.0.113.7")
    with pytest.raises(RateLimited):
        await second.hit("login_account", "203.0.113.7")

    await first.hit("login_account", "203.0.113.8")  # another key has its own count
    elsewhere = process_limiter(connect, redis_url, f"{prefix}other:")
    await elsewhere.hit("login_account", "203.0.113.7")  # another deployment's prefix too

    keys = {key.decode() async for key in connect[0].scan_iter(match=f"{prefix}*")}
    assert keys == {
        f"{prefix}ratelimit:LIMITER/login_account/203.0.113.7/10/5/minute",
        f"{prefix}ratelimit:LIMITER/login_account/203.0.113.8/10/5/minute",
        f"{prefix}other:ratelimit:LIMITER/login_account/203.0.113.7/10/5/minute",
    }


async def test_the_limit_holds_across_processes_over_http(
    client: httpx.AsyncClient, redis_url: str, prefix: str, connect: list[Redis]
) -> None:
    app_form = {"client_name": "x", "redirect_uris": OOB}
    assert (await client.post("/api/v1/apps", data=app_form)).status_code == 200
    other = process_limiter(connect, redis_url, prefix)
    for _ in range(19):  # app creation allows 20 in 5 minutes per IP
        await other.hit("oauth_app", "127.0.0.1")
    with pytest.raises(RateLimited):  # the served request counted for the other process
        await other.hit("oauth_app", "127.0.0.1")

    limited = await client.post("/api/v1/apps", data=app_form)
    assert limited.status_code == 429
    assert limited.json() == {"error": "Too many requests"}


async def test_an_unreachable_redis_lets_actions_through_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    limiter = RateLimiter(enabled=True, redis=down, prefix="roost-test-down:")
    with caplog.at_level(logging.WARNING, logger="roost.core.ratelimit"):
        for _ in range(12):  # past the login limit of 10
            await limiter.hit("login_account", "203.0.113.7")
    await down.aclose()
    warnings = [r for r in caplog.records if r.name == "roost.core.ratelimit"]
    assert len(warnings) == 1
    assert "not checked" in warnings[0].getMessage()
