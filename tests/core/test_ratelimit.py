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
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from roost.core.breaker import Breaker
from roost.core.cluster_breaker import GuardedCluster
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


class Processes:
    """The API processes a test stands for: each with its own Redis client and limiter
    (on a cluster the limiter has a client of its own too), closed afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[Redis] = []
        self.limiters: list[RateLimiter] = []

    def limiter(self, prefix: str) -> RateLimiter:
        client = async_client(self.url)
        self.clients.append(client)
        self.limiters.append(RateLimiter(enabled=True, redis=client, prefix=prefix))
        return self.limiters[-1]

    async def close(self) -> None:
        for limiter in self.limiters:
            await limiter.close()
        for client in self.clients:
            await client.aclose()


@pytest.fixture
async def processes(redis_url: str) -> AsyncIterator[Processes]:
    made = Processes(redis_url)
    yield made
    await made.close()


async def test_two_processes_on_one_prefix_share_the_count(
    prefix: str, processes: Processes
) -> None:
    first = processes.limiter(prefix)
    second = processes.limiter(prefix)
    for _ in range(5):  # login allows 10 in 5 minutes
        await first.hit("login_account", "203.0.113.7")
        await second.hit("login_account", "203.0.113.7")
    with pytest.raises(RateLimited):
        await first.hit("login_account", "203.0.113.7")
    with pytest.raises(RateLimited):
        await second.hit("login_account", "203.0.113.7")

    await first.hit("login_account", "203.0.113.8")  # another key has its own count
    elsewhere = processes.limiter(f"{prefix}other:")
    await elsewhere.hit("login_account", "203.0.113.7")  # another deployment's prefix too

    keys = {key.decode() async for key in processes.clients[0].scan_iter(match=f"{prefix}*")}
    assert keys == {
        f"{prefix}ratelimit:LIMITER/login_account/203.0.113.7/10/5/minute",
        f"{prefix}ratelimit:LIMITER/login_account/203.0.113.8/10/5/minute",
        f"{prefix}other:ratelimit:LIMITER/login_account/203.0.113.7/10/5/minute",
    }


async def test_the_limit_holds_across_processes_over_http(
    client: httpx.AsyncClient, prefix: str, processes: Processes
) -> None:
    app_form = {"client_name": "x", "redirect_uris": OOB}
    assert (await client.post("/api/v1/apps", data=app_form)).status_code == 200
    other = processes.limiter(prefix)
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


async def test_a_redis_cluster_none_of_whose_nodes_answers_lets_actions_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The runtime's breaker open (no node answers): the limiter's own cluster client is
    not asked, so a cut-off cluster costs a request nothing here; the breaker closed and
    the nodes gone, the client's give-up (no RedisError) lets the action through too."""
    breaker = Breaker(cool_off=60.0)
    down = GuardedCluster(
        host="127.0.0.1",
        port=free_port(),  # nothing listens there
        breaker=breaker,
        socket_timeout=0.2,
        socket_connect_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
    )
    limiter = RateLimiter(enabled=True, redis=down, prefix="roost-test-cluster-down:")
    with caplog.at_level(logging.WARNING, logger="roost.core.ratelimit"):
        await limiter.hit("login_account", "203.0.113.7")  # the client gives up
        breaker.failed(ConnectionError("no node answers"))
        for _ in range(12):  # past the login limit of 10, and no node asked
            await limiter.hit("login_account", "203.0.113.7")
    await limiter.close()
    await down.aclose()
    warnings = [r.getMessage() for r in caplog.records if r.name == "roost.core.ratelimit"]
    assert len(warnings) == 1 and "not checked" in warnings[0]
