"""Streams served by real ``roost serve`` processes.

- ``live_server``: one process (SQLite, in-process bus): a post made through the API
  reaches a stream the server holds open, and Mastodon's SSE format is on the wire.
- Two processes against one PostgreSQL database and one Redis (issue 4): a client
  streams from process A, a post is made through process B, and it arrives; a token
  revoked through B ends its streams held open by A.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import asyncpg_url, free_port, psql
from tests.oauth.support import Person, sign_up_over_api
from tests.redis_cluster import delete_keys
from tests.streaming.conftest import REDIS_URL
from tests.streaming.helpers import WAIT, open_sse, ws_sync
from tests.streaming.test_ending import ended, sse

_serial = itertools.count(1)


PASSWORD = "correct horse battery staple 42"


async def sign_up(base: str, prefix: str) -> Person:
    """Register through the API as an app does: app, client token, account, user token."""
    username = f"{prefix}{next(_serial)}{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        return await sign_up_over_api(http, username, PASSWORD)


async def call(base: str, method: str, path: str, person: Person, **data: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        response = await http.request(method, path, headers=person.headers, data=data)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


async def test_a_post_streams_from_a_live_server(live_server: str) -> None:
    alice = await sign_up(live_server, "alice")
    bob = await sign_up(live_server, "bob")
    await call(live_server, "POST", f"/api/v1/accounts/{alice.id}/follow", bob)
    async with (
        open_sse(live_server, "/api/v1/streaming/user", bob) as home,
        open_sse(live_server, "/api/v1/streaming/public/local") as public,
    ):
        status = await call(live_server, "POST", "/api/v1/statuses", alice, status="live!")
        for stream in (home, public):
            assert (await stream.next_update())["id"] == status["id"]
            at = stream.lines.index("event: update")
            assert stream.lines[at + 1].startswith("data: {")
        await call(live_server, "DELETE", f"/api/v1/statuses/{status['id']}", alice)
        for stream in (home, public):
            event = await stream.next()
            assert (event.event, event.data) == ("delete", status["id"])
    async with httpx.AsyncClient(base_url=live_server) as http:
        health = await http.get("/api/v1/streaming/health")
    assert (health.status_code, health.text) == (200, "OK")


# -- two processes, one PostgreSQL, one Redis -------------------------------------------


@pytest.fixture
def shared_services(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh migrated PostgreSQL database and a Redis prefix, both removed afterwards."""
    name = f"roost_streaming_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    prefix = f"roost-test-streaming:{uuid.uuid4().hex}:"
    psql(f"CREATE DATABASE {name}")
    env = {
        **os.environ,
        "ROOST_DATABASE_URL": asyncpg_url(name),
        "ROOST_REDIS_URL": REDIS_URL,
        "ROOST_REDIS_PREFIX": prefix,
        "ROOST_SECRET_KEY": "streaming-test-secret",
        "ROOST_RATE_LIMITS": "off",
    }
    subprocess.run(
        [sys.executable, "-m", "roost.cli", "migrate"],
        env={**env, "ROOST_DATA_DIR": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    try:
        yield env
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        delete_keys(REDIS_URL, f"{prefix}*")


@pytest.fixture
def two_servers(shared_services: dict[str, str], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Processes A and B, each running its own jobs (``--run-jobs``)."""
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    bases: list[str] = []
    try:
        for name in ("a", "b"):
            port = free_port()
            data = tmp_path / name
            data.mkdir()
            log = data / "server.log"
            env = {
                **shared_services,
                "ROOST_DATA_DIR": str(data),
                "ROOST_DOMAIN": f"127.0.0.1:{port}",
            }
            with log.open("w") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "roost.cli", "serve", "--port", str(port)]
                    + ["--no-migrate", "--run-jobs"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            processes.append((process, log))
            bases.append(f"http://127.0.0.1:{port}")
        for base, (process, log) in zip(bases, processes, strict=True):
            _wait_healthy(base, process, log)
        yield bases[0], bases[1]
    finally:
        for process, _log in processes:
            process.terminate()
        for process, log in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise AssertionError(f"server did not stop:\n{log.read_text()[-3000:]}") from None


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(log.read_text())
        time.sleep(0.2)


async def test_a_post_made_on_one_process_streams_from_another(
    two_servers: tuple[str, str],
) -> None:
    a, b = two_servers
    alice = await sign_up(b, "alice")
    bob = await sign_up(b, "bob")
    await call(b, "POST", f"/api/v1/accounts/{alice.id}/follow", bob)
    async with (
        open_sse(a, "/api/v1/streaming/user", bob) as home,
        open_sse(a, "/api/v1/streaming/public") as public,
    ):
        private = await call(
            b, "POST", "/api/v1/statuses", alice, status="hi", visibility="private"
        )
        public_post = await call(b, "POST", "/api/v1/statuses", alice, status="hello all")
        assert (await home.next_update())["id"] == private["id"]
        assert (await home.next_update())["id"] == public_post["id"]
        # The anonymous public stream never saw the followers-only post.
        assert (await public.next_update())["id"] == public_post["id"]
        # A direct mention: bob's stream on A gets the post and the notification.
        mention = await call(
            b,
            "POST",
            "/api/v1/statuses",
            alice,
            status=f"@{bob.username} psst",
            visibility="direct",
        )
        events = {event.event: event.json() for event in [await home.next() for _ in "12"]}
        assert events["update"]["id"] == mention["id"]
        assert events["notification"]["status"]["id"] == mention["id"]
        await call(b, "DELETE", f"/api/v1/statuses/{public_post['id']}", alice)
        for stream in (home, public):
            event = await stream.next()
            assert (event.event, event.data) == ("delete", public_post["id"])


async def test_a_revoke_on_one_process_ends_the_streams_held_by_another(
    two_servers: tuple[str, str],
) -> None:
    a, b = two_servers
    alice = await sign_up(b, "alice")
    async with httpx.AsyncClient(base_url=b, timeout=10) as http:
        app = (
            await http.post(
                "/api/v1/apps",
                data={"client_name": "phone", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"},
            )
        ).json()
        credentials = {"client_id": app["client_id"], "client_secret": app["client_secret"]}
        granted = await http.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "username": alice.username,
                "password": PASSWORD,
                "scope": "read",
                **credentials,
            },
        )
        phone = Person(id=alice.id, username=alice.username, token=granted.json()["access_token"])
        ws_base = a.replace("http://", "ws://")
        async with (
            sse(a, phone.token) as (_, reader),
            connect(f"{ws_base}/api/v1/streaming?stream=user&access_token={phone.token}") as ws,
        ):
            await ws_sync(ws)
            revoked = await http.post("/oauth/revoke", data={"token": phone.token, **credentials})
            assert revoked.status_code == 200
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(ws.recv(), WAIT)
            assert await ended(reader)
