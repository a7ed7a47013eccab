"""``/health`` says the process is alive; ``/health/ready`` says whether it can reach
the database and Redis: without the database it is not ready (503), without Redis it is
ready but degraded (200: it serves from SQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from roost.app import create_app
from roost.core.settings import Settings
from roost.runtime import Runtime
from tests.conftest import REDIS, free_port


async def test_ready_when_the_database_and_redis_answer(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    expected = {"database": "ok", "redis": "ok"} if REDIS else {"database": "ok"}
    assert ready.json() == {"status": "ready", "checks": expected}


@asynccontextmanager
async def unstarted(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app on a runtime that was never started (a runtime cannot start without what
    it is pointed at: this is the process that lost it afterwards)."""
    runtime = Runtime(settings)
    app = create_app(settings, runtime)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http:
            yield http
    finally:
        await runtime.db.dispose()
        if runtime.redis is not None:
            await runtime.redis.aclose()


async def test_ready_but_degraded_when_redis_is_unreachable(settings: Settings) -> None:
    """A balancer keeps sending to it: it serves from SQL, and every process shares the
    Redis it lost, so taking them out would leave the service no process at all."""
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    async with unstarted(settings.model_copy(update={"redis_url": closed})) as http:
        assert (await http.get("/health")).status_code == 200  # alive all the same
        answer = await http.get("/health/ready")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "redis": "failed"},
    }


async def test_not_ready_without_the_database_whatever_redis_does(settings: Settings) -> None:
    closed = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/roost"
    no_redis = f"redis://127.0.0.1:{free_port()}/0"
    changes = {"database_url": closed, "redis_url": no_redis}
    async with unstarted(settings.model_copy(update=changes)) as http:
        answer = await http.get("/health/ready")
    assert answer.status_code == 503
    assert answer.json() == {
        "error": "Unavailable: database unreachable",
        "checks": {"database": "failed", "redis": "failed"},
    }


async def test_not_ready_when_the_database_is_unreachable(settings: Settings) -> None:
    closed = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/roost"
    async with unstarted(settings.model_copy(update={"database_url": closed})) as http:
        answer = await http.get("/health/ready")
    assert answer.status_code == 503
    assert answer.json()["checks"]["database"] == "failed"
    assert answer.json()["error"].startswith("Unavailable: database")


async def test_the_metrics_still_answer_when_the_database_does_not(settings: Settings) -> None:
    closed = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/roost"
    async with unstarted(settings.model_copy(update={"database_url": closed})) as http:
        answer = await http.get("/metrics")
    assert answer.status_code == 200  # the counters, without the queue it could not ask
    assert "roost_http_request_duration_seconds" in answer.text
    assert "roost_outbox_jobs" not in answer.text
