"""The ``scaled`` fixture: a runtime and in-process app on Redis (ROOST_TEST_REDIS, or the
local one) under the test's own key prefix, with a tiny cap and fan-out limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from roost.app import create_app
from roost.core.runtime import Runtime
from roost.core.settings import Settings
from tests.factories import Factory
from tests.timelines.helpers import REDIS_URL

Scaled = tuple[Runtime, httpx.AsyncClient, Factory]


@pytest.fixture
async def scaled(settings: Settings) -> AsyncIterator[Scaled]:
    scaled_settings = settings.model_copy(
        update={"redis_url": REDIS_URL, "timeline_cap": 6, "fanout_limit": 2}
    )
    runtime = Runtime(scaled_settings)
    await runtime.start(sweep=False)
    app = create_app(scaled_settings, runtime)
    try:
        async with (
            LifespanManager(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://localhost"
            ) as client,
        ):
            yield runtime, client, Factory(runtime)
    finally:
        await runtime.stop()
