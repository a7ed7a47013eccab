"""Lua scripts run by EVALSHA: a script Redis has not seen is loaded on first use."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from roost.core.scripts import Script
from tests.redis_cluster import async_client


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = async_client(redis_url)
    yield client
    await client.aclose()


async def test_a_script_added_since_is_loaded_on_first_use(redis: Redis, prefix: str) -> None:
    # A script text this Redis has never seen (the prefix is this test's own): the
    # first EVALSHA answers NOSCRIPT.
    script = Script(f"redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1] -- {prefix}\n")
    assert await redis.script_exists(script.sha) == [False]
    assert await script.run(redis, [f"{prefix}key"], ["value"]) == b"value"
    assert await redis.script_exists(script.sha) == [True]
    assert await redis.get(f"{prefix}key") == b"value"
    # Loaded now: it runs again by its digest alone.
    assert await script.run(redis, [f"{prefix}key"], ["again"]) == b"again"
