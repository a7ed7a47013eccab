"""Every answer names its request (``X-Request-Id``: the one sent if sane, else a new
one), and the log lines and jobs of that request carry the same id, in JSON when
``ROOST_LOG_FORMAT=json``."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from roost.app import create_app
from roost.core.logs import RedactSecrets, WithRequestId, json_formatter
from roost.jobs.models import OutboxJob
from roost.runtime import Runtime
from tests.factories import Factory

GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_the_id_sent_is_echoed_and_a_bad_one_replaced(client: httpx.AsyncClient) -> None:
    sent = await client.get("/api/v1/instance", headers={"X-Request-Id": "lb-7f3a.42:x"})
    assert sent.headers["x-request-id"] == "lb-7f3a.42:x"
    for bad in ("has spaces", "x" * 129, "-leading-dash", "tab\there"):
        answer = await client.get("/api/v1/instance", headers={"X-Request-Id": bad})
        assert GENERATED.fullmatch(answer.headers["x-request-id"]), bad
    fresh = [(await client.get("/health")).headers["x-request-id"] for _ in range(2)]
    assert all(GENERATED.fullmatch(one) for one in fresh) and fresh[0] != fresh[1]
    # A browser app on another origin may read it, as from Mastodon.
    cors = await client.get("/api/v1/instance", headers={"Origin": "https://app.example"})
    assert "x-request-id" in cors.headers["access-control-expose-headers"].lower()


async def test_a_job_queued_by_a_request_keeps_its_id(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    author = await factory.user("author")
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    answer = await client.post(
        "/api/v1/statuses",
        json={"status": "later", "scheduled_at": later},
        headers={**author.headers, "X-Request-Id": "req-scheduled-1"},
    )
    assert answer.status_code == 200, answer.text
    async with runtime.db.read() as session:
        payloads = list(await session.scalars(select(OutboxJob.payload)))
    assert [p.get("request_id") for p in payloads] == ["req-scheduled-1"]


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every log line of this process, as ROOST_LOG_FORMAT=json writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(json_formatter())
    handler.addFilter(RedactSecrets())
    handler.addFilter(WithRequestId())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


async def test_json_lines_carry_the_request_id_into_the_job(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, json_lines: io.StringIO
) -> None:
    author = await factory.user("author")
    answer = await client.post(
        "/api/v1/statuses",
        json={"status": "hello"},
        headers={**author.headers, "X-Request-Id": "req-post-1"},
    )
    assert answer.status_code == 200
    await runtime.jobs.drain()
    lines = parsed(json_lines)
    done = [
        line
        for line in lines
        if line["logger"] == "roost.jobs.runner" and "(fan_out) done" in str(line["message"])
    ]
    assert len(done) == 1
    assert done[0]["request_id"] == "req-post-1"
    assert done[0]["level"] == "INFO"
    assert datetime.fromisoformat(str(done[0]["time"])).tzinfo is not None


async def test_an_unhandled_error_names_its_request(
    runtime: Runtime, json_lines: io.StringIO
) -> None:
    app = create_app(runtime.settings, runtime)

    async def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/broken", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=transport, base_url="http://localhost") as http,
    ):
        answer = await http.get("/broken", headers={"X-Request-Id": "req-bug-1"})
    assert answer.status_code == 500
    assert answer.json() == {"error": "Internal server error"}
    assert answer.headers["x-request-id"] == "req-bug-1"
    (error,) = [line for line in parsed(json_lines) if line["message"] == "unhandled error"]
    assert error["request_id"] == "req-bug-1"
    assert "RuntimeError: a bug" in str(error["exc_info"])
