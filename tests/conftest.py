"""Shared fixtures: a migrated database per test, the app in-process, a live server.

The suite runs on SQLite by default; with ROOST_TEST_DATABASE=postgresql every test
gets its own PostgreSQL database (cloned from a migrated template) on
ROOST_TEST_POSTGRES (default postgresql://postgres@127.0.0.1:5432). With
ROOST_TEST_REDIS set to a Redis URL, every test also gets the scaled roles in Redis
under a key prefix of its own, deleted afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from roost.app import create_app
from roost.core.runtime import Runtime
from roost.core.settings import Settings
from roost.migrate import migrate
from tests.factories import Factory

BACKEND = os.environ.get("ROOST_TEST_DATABASE", "sqlite")
REDIS = os.environ.get("ROOST_TEST_REDIS", "")
POSTGRES = os.environ.get("ROOST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
_numbers = itertools.count()


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def asyncpg_url(database: str) -> str:
    return POSTGRES.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate once; every test gets a copy (a file on SQLite, a clone on PostgreSQL)."""
    if BACKEND == "postgresql":
        name = f"roost_test_template_{os.getpid()}"
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")
        migrate(Settings(database_url=asyncpg_url(name)))
        yield name
        psql(f"DROP DATABASE IF EXISTS {name}")
        return
    folder = tmp_path_factory.mktemp("template")
    migrate(Settings(data_dir=folder))
    yield str(folder / "roost.sqlite3")


@pytest.fixture
def database_url(tmp_path: Path, template_db: str) -> Iterator[str]:
    if BACKEND == "postgresql":
        name = f"roost_test_{os.getpid()}_{next(_numbers)}"
        psql(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        yield asyncpg_url(name)
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return
    shutil.copy(template_db, tmp_path / "roost.sqlite3")
    yield ""


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"roost-test:{os.getpid()}:{next(_numbers)}:"
    yield prefix
    delete_redis_keys(prefix)


def delete_redis_keys(prefix: str) -> None:
    if not REDIS:
        return
    import redis

    client = redis.Redis.from_url(REDIS)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_prefix: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        redis_url=REDIS,
        redis_prefix=redis_prefix,
        # With Redis (here or in a test's copy of these settings) jobs go through the
        # queue and this process consumes it, so `runtime.jobs.drain()` still means
        # "every job kicked so far has run". Without Redis it changes nothing.
        serve_runs_jobs=True,
        domain="localhost",
        secret_key="test-secret",
        rate_limits=False,
        sweep_after_seconds=30,
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    await runtime.start(sweep=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def client(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http,
    ):
        yield http


@pytest.fixture
def factory(runtime: Runtime) -> Factory:
    return Factory(runtime)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory, template_db: str) -> Iterator[str]:
    """A real ``roost serve`` process on a free port, on this run's backend (its own
    PostgreSQL database and Redis prefix when the run uses them); yields its base URL."""
    data = tmp_path_factory.mktemp("live")
    port = free_port()
    env = {
        **os.environ,
        "ROOST_DATA_DIR": str(data),
        "ROOST_DOMAIN": f"127.0.0.1:{port}",
        "ROOST_RATE_LIMITS": "off",
        "ROOST_DATABASE_URL": "",
        "ROOST_REDIS_URL": REDIS,
        "ROOST_REDIS_PREFIX": f"roost-test:{os.getpid()}:live{port}:",
        # With Redis, the API process also runs the queued jobs (no separate worker).
        "ROOST_SERVE_RUNS_JOBS": "true",
    }
    database = f"roost_test_{os.getpid()}_live{port}"
    if BACKEND == "postgresql":
        psql(f"CREATE DATABASE {database} TEMPLATE {template_db}")
        env["ROOST_DATABASE_URL"] = asyncpg_url(database)
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "roost.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError((data / "server.log").read_text())
    yield base
    process.terminate()
    process.wait(timeout=15)
    log.close()
    if BACKEND == "postgresql":
        psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    delete_redis_keys(env["ROOST_REDIS_PREFIX"])
