"""The ``scaled`` fixture: a runtime and in-process app on Redis (ROOST_TEST_REDIS, or the
local one) under the test's own key prefix, with a tiny cap and fan-out limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import Factory
from tests.timelines.helpers import REDIS_URL

Scaled = tuple[Runtime, httpx.AsyncClient, Factory]
SCALED = {"redis_url": REDIS_URL, "timeline_cap": 6, "fanout_limit": 2}


@pytest.fixture
async def scaled(app_client: AppClient) -> AsyncIterator[Scaled]:
    async with app_client(**SCALED) as (client, runtime):
        yield runtime, client, Factory(runtime)
