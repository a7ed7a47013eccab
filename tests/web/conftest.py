from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from roost.app import create_app
from roost.core.runtime import Runtime
from roost.core.settings import Settings

AppClient = Callable[..., AbstractAsyncContextManager[tuple[httpx.AsyncClient, Runtime]]]


@pytest.fixture
def app_client(settings: Settings) -> AppClient:
    """A client on an app with other settings (rate limits on, a public domain, ...)."""

    @asynccontextmanager
    async def make(
        base_url: str = "http://localhost", **changes: Any
    ) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
        custom = settings.model_copy(update=changes)
        runtime = Runtime(custom)
        await runtime.start(sweep=False)
        app = create_app(custom, runtime)
        try:
            async with (
                LifespanManager(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url=base_url
                ) as http,
            ):
                yield http, runtime
        finally:
            await runtime.stop()

    return make
