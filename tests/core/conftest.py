"""The key prefix of the core tests that need Redis in every mode (rate limits,
versions, scripts), through ``redis_url`` (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.redis_cluster import delete_keys


@pytest.fixture
def prefix(redis_url: str, redis_prefix: str) -> Iterator[str]:
    """The test's own key prefix, emptied afterwards even when the suite runs without
    ROOST_TEST_REDIS (the shared fixture only cleans up then)."""
    yield redis_prefix
    delete_keys(redis_url, f"{redis_prefix}*")
