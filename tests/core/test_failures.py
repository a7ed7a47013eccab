"""What a failed request answers (core/failures.py): JSON, never a dropped connection.

A real ``roost serve`` reaches its PostgreSQL database through a proxy the test cuts:
while it is cut, reads and writes answer 503 with ``Retry-After``; once it is back,
they answer again without a restart, and every answer came on one keep-alive
connection (uvicorn closes the connection after an exception that reaches it)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from redis.exceptions import RedisClusterUnreachableError
from starlette.types import Message, Receive, Scope, Send

from roost.core.breaker import RedisUnavailable
from roost.core.failures import AnswerFailures
from tests.conftest import POSTGRES, psql
from tests.proxy import ThreadedProxy
from tests.serving import start_serve

pytestmark = pytest.mark.timeout(120)

APP = {"client_name": "Outage test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ThreadedProxy]]:
    """``roost serve`` (embedded mode) on a database of its own behind a proxy."""
    name = f"roost_failures_test_{os.getpid()}"
    try:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(f"CREATE DATABASE {name}")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"this test needs PostgreSQL at {POSTGRES}: {exc}")
    target = urlparse(POSTGRES)
    proxy = ThreadedProxy(target.hostname or "127.0.0.1", target.port or 5432)
    user = target.username or "postgres"
    env = {
        "ROOST_DATABASE_URL": f"postgresql+asyncpg://{user}@127.0.0.1:{proxy.port}/{name}",
        "ROOST_REDIS_URL": "",
        "ROOST_RATE_LIMITS": "off",
        "ROOST_PREVIEW_CARDS": "false",
    }
    process = None
    try:
        base, process = start_serve(tmp_path_factory.mktemp("failures"), env)
        yield base, proxy
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
        proxy.close()
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def client_port(response: httpx.Response) -> Any:
    """The client's end of the connection the response came on."""
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_a_database_outage_answers_503_then_recovers_on_the_same_connection(
    served: tuple[str, ThreadedProxy],
) -> None:
    base, proxy = served
    with httpx.Client(base_url=base, timeout=30) as http:
        before = http.get("/api/v1/timelines/public")
        assert before.status_code == 200, before.text
        connection = client_port(before)

        proxy.refuse()
        for answer in (http.get("/api/v1/timelines/public"), http.post("/api/v1/apps", json=APP)):
            assert answer.status_code == 503, answer.text
            assert int(answer.headers["retry-after"]) > 0
            assert "error" in answer.json()
            assert client_port(answer) == connection  # the connection stayed open

        proxy.restore()  # no restart: the next requests find the database again
        read = http.get("/api/v1/timelines/public")
        made = http.post("/api/v1/apps", json=APP)
        assert read.status_code == 200, read.text
        assert made.status_code == 200, made.text
        assert made.json()["name"] == APP["client_name"]
        assert client_port(read) == client_port(made) == connection


async def _run(app: AnswerFailures) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    await app(scope, receive, send)
    return sent


async def test_an_unexpected_error_is_answered_500_and_does_not_reach_the_server() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a bug")

    sent = await _run(AnswerFailures(failing))  # returns: the server keeps the connection
    assert sent[0]["status"] == 500
    assert b'{"error":"Internal server error"}' in sent[1]["body"]


async def test_an_answer_cut_in_the_middle_still_reaches_the_server() -> None:
    async def cut(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"half", "more_body": True})
        raise RuntimeError("a stream failed")

    with pytest.raises(RuntimeError):  # only a closed connection tells the client
        await _run(AnswerFailures(cut))


@pytest.mark.parametrize(
    "error",
    [
        RedisUnavailable("Redis is unreachable (the circuit breaker is open)"),
        # A Redis Cluster none of whose nodes answers (tests/hosts cut them all).
        RedisClusterUnreachableError("Redis Cluster cannot be connected"),
    ],
    ids=["one-redis", "redis-cluster"],
)
async def test_redis_unreachable_where_it_is_needed_is_answered_503(error: Exception) -> None:
    async def needs_redis(scope: Scope, receive: Receive, send: Send) -> None:
        raise error

    sent = await _run(AnswerFailures(needs_redis))
    assert sent[0]["status"] == 503
    assert (b"retry-after", b"5") in sent[0]["headers"]
    assert b"Redis cannot be reached" in sent[1]["body"]
