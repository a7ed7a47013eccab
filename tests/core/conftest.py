"""Redis for the core tests that need one whatever the suite's mode (ROOST_TEST_REDIS,
default the local Redis): rate limits, versions, scripts. In CI a missing Redis fails
them instead of skipping."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis

REDIS_URL = os.environ.get("ROOST_TEST_REDIS") or "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the core Redis tests; no Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"these tests need Redis at {REDIS_URL}: {exc}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def prefix(redis_url: str, redis_prefix: str) -> Iterator[str]:
    """The test's own key prefix, emptied afterwards even when the suite runs without
    ROOST_TEST_REDIS (the shared fixture only cleans up then)."""
    yield redis_prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{redis_prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
