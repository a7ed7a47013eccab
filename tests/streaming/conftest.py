"""Streaming fixtures: the app served by uvicorn inside the test's event loop (so a
test can publish on the same runtime its streams listen to), and Redis buses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import uvicorn
from redis.asyncio import Redis, RedisCluster

from roost.app import create_app
from roost.core.settings import Settings
from roost.runtime import Runtime
from roost.streaming.bus import Bus, LocalBus, RedisBus
from tests.conftest import REDIS_URL, free_port
from tests.redis_cluster import async_client


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def settings(settings: Settings, port: int) -> Settings:
    # Clients find the streaming server through the instance's domain.
    return settings.model_copy(update={"domain": f"127.0.0.1:{port}"})


@pytest.fixture
async def redis() -> AsyncIterator[Redis | RedisCluster]:
    client = async_client(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"roost-test-streaming:{uuid.uuid4().hex}:"


async def _delete_keys(redis: Redis | RedisCluster, prefix: str) -> None:
    keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
    if keys:
        await redis.delete(*keys)


@pytest.fixture(params=["local", "redis"])
async def bus_kind(
    request: pytest.FixtureRequest, runtime: Runtime, redis: Redis | RedisCluster, prefix: str
) -> AsyncIterator[str]:
    """Run the test once with each bus on the runtime its streams use."""
    original = runtime.bus
    bus: Bus = LocalBus() if request.param == "local" else RedisBus(redis, prefix)
    runtime.bus = bus
    yield request.param
    await bus.close()
    runtime.bus = original
    await _delete_keys(redis, prefix)


@pytest.fixture
async def server(settings: Settings, runtime: Runtime, port: int) -> AsyncIterator[str]:
    """The app on a real socket, in this event loop, sharing ``runtime``."""
    app = create_app(settings, runtime)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
