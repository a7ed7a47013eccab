"""Shared fixtures: a migrated database per test, the app in-process, a live server.

The suite runs on SQLite by default, every test on its own copy of a migrated file. With
ROOST_TEST_DATABASE=postgresql it runs on PostgreSQL at ROOST_TEST_POSTGRES (default
postgresql://postgres@127.0.0.1:5432): the session migrates one database and every test
starts on it emptied. With ROOST_TEST_REDIS set to a Redis URL, every test also gets the
scaled roles in Redis under a key prefix of its own, deleted afterwards. ``scripts/test``
always runs both passes. In CI (CI=true) nothing may skip: a skip there (say, for want
of PostgreSQL or Redis) is reported as a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager

from roost.app import create_app
from roost.core.settings import Settings
from roost.migrate import migrate
from roost.runtime import Runtime
from tests import redis_cluster
from tests.factories import Factory

# Passwords hashed with argon2's cheapest parameters, here and in every process a test
# starts (they inherit the environment): a run signs up and signs in thousands of times,
# at ~0.2 s of CPU each with the default profile. tests/core/test_security.py checks
# the default.
os.environ.setdefault("ROOST_PASSWORD_HASH_PROFILE", "CHEAPEST")
BACKEND = os.environ.get("ROOST_TEST_DATABASE", "sqlite")
REDIS = os.environ.get("ROOST_TEST_REDIS", "")
if redis_cluster.CLUSTER:
    # ROOST_TEST_REDIS_CLUSTER=1: a Redis Cluster of the run's own (tests/redis_cluster.py)
    # stands in for every Redis below, and every runtime and `roost` process it starts
    # (they inherit the environment) speaks to it as a cluster.
    REDIS = redis_cluster.run_cluster_url() if REDIS else ""
    os.environ["ROOST_REDIS_CLUSTER"] = "true"
# The Redis of the tests that use one whatever the run's mode: the run's, or the local one.
REDIS_URL = REDIS or (
    redis_cluster.run_cluster_url() if redis_cluster.CLUSTER else "redis://127.0.0.1:6379/0"
)
POSTGRES = os.environ.get("ROOST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
_numbers = itertools.count()
T = TypeVar("T")
# Folders and modules that run in one pass of ``scripts/test`` only, and are deselected
# in the others (ROOST_TEST_EVERY_PASS=1 runs them in any pass):
# - the benchmark and the several hosts bring their own servers, PostgreSQL and Redis,
#   so the run's backend means nothing to them: the PostgreSQL pass;
# - the browser tests check what a person sees and does on the page, the same markup and
#   script on either backend; what each click asks of the server runs in both passes
#   (tests/web, the API's tests): the SQLite pass, Roost's embedded default;
# - the client tests check that Mastodon.py and toot work unchanged: what each of their
#   calls asks of the server runs in both passes too (the API's tests); they run where a
#   server meets real clients, on PostgreSQL and Redis (and again on a Redis Cluster).
# - the read replica and failover tests start a PostgreSQL pair of their own, and
#   tests/jobs' process tests their servers and workers on PostgreSQL and Redis, whatever
#   the pass: the same tests in either, so the PostgreSQL pass runs them.
ONE_PASS = {
    Path(__file__).parent / "core" / "test_replicas.py": "postgresql",
    Path(__file__).parent / "core" / "test_failover.py": "postgresql",
    Path(__file__).parent / "jobs" / "test_processes.py": "postgresql",
    Path(__file__).parent / "jobs" / "test_exactly_once_processes.py": "postgresql",
    Path(__file__).parent / "bench": "postgresql",
    Path(__file__).parent / "hosts": "postgresql",
    Path(__file__).parent / "clients": "postgresql",
    Path(__file__).parent / "browser": "sqlite",
}


# The longest modules (each pass's log ends with its slowest tests), run first: a
# pytest-xdist worker takes one module at a time, in collection order (scripts/test
# turns off xdist's own order, by number of tests, which put the fuzzing module of two
# tests last), and one of these started last kept a worker busy for minutes after the
# other had nothing left.
LONGEST_FIRST = [
    Path(__file__).parent / name
    for name in (
        "test_openapi_fuzz.py",
        "browser/test_accessibility.py",
        "hosts/test_hosts.py",
        "timelines/test_recipients.py",
        "bench/test_bench_smoke.py",
        "browser/test_screens.py",
        "test_query_counts.py",
        "jobs/test_processes.py",
    )
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: number for number, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))  # stable: the rest keep order
    if os.environ.get("ROOST_TEST_EVERY_PASS") == "1":
        return
    elsewhere = {place for place, backend in ONE_PASS.items() if backend != BACKEND}
    theirs = [item for item in items if elsewhere & {item.path, *item.path.parents}]
    if theirs:
        items[:] = [item for item in items if item not in theirs]
        config.hook.pytest_deselected(items=theirs)


# Each live server's database: base URL -> ("postgresql", name) or ("sqlite", file).
LIVE_DATABASES: dict[str, tuple[str, str]] = {}
# The environment each live server runs with, for `roost admin` against its data.
LIVE_ENVIRONMENTS: dict[str, dict[str, str]] = {}


def pytest_configure(config: pytest.Config) -> None:
    redis_cluster.start_run_cluster()  # with ROOST_TEST_REDIS_CLUSTER=1, in one process


def pytest_unconfigure(config: pytest.Config) -> None:
    redis_cluster.stop_run_cluster()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"
    return report


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
    )


def asyncpg_url(database: str) -> str:
    return POSTGRES.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"


class Server:
    """The fixtures' own statements to PostgreSQL: one driver connection per database,
    kept for the session (a psql process per statement costs more than the statement).
    They run on an event loop of their own in a thread of their own, since fixtures are
    synchronous and may be set up while a test's loop (or Playwright's) is running."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._connections: dict[str, asyncpg.Connection] = {}

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def _connection(self, database: str) -> asyncpg.Connection:
        if database not in self._connections:
            self._connections[database] = self._run(asyncpg.connect(f"{POSTGRES}/{database}"))
        return self._connections[database]

    def execute(self, sql: str, *, database: str = "postgres") -> None:
        self._run(self._connection(database).execute(sql))

    def column(self, sql: str, *, database: str) -> list[Any]:
        rows = self._run(self._connection(database).fetch(sql))
        return [row[0] for row in rows]

    def disconnect(self, database: str) -> None:
        connection = self._connections.pop(database, None)
        if connection is not None:
            self._run(connection.close())

    def close(self) -> None:
        for database in list(self._connections):
            self.disconnect(database)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    pg = Server()
    yield pg
    pg.close()


@pytest.fixture(scope="session")
def template_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Migrate once: on SQLite every test gets a copy of this file; on PostgreSQL the
    session's database and each live server's are made from this template."""
    if BACKEND == "postgresql":
        server: Server = request.getfixturevalue("pg_server")
        name = f"roost_test_template_{os.getpid()}"
        server.execute(f"DROP DATABASE IF EXISTS {name}")
        server.execute(f"CREATE DATABASE {name}")
        migrate(Settings(database_url=asyncpg_url(name)))
        yield name
        server.execute(f"DROP DATABASE IF EXISTS {name}")
        return
    folder = tmp_path_factory.mktemp("template")
    migrate(Settings(data_dir=folder))
    yield str(folder / "roost.sqlite3")


@pytest.fixture(scope="session")
def session_db(pg_server: Server, template_db: str) -> Iterator[tuple[str, str]]:
    """PostgreSQL only: the database the tests take turns on, and the statement that
    empties it. It ends other sessions on the database first (what DROP DATABASE ...
    WITH (FORCE) did), so nothing a previous test left open can block it, then deletes
    every row of every table the migrations made but ``alembic_version`` (they seed no
    other rows and make no sequences). DELETE, not TRUNCATE: a test leaves a few rows,
    and TRUNCATE makes new files for every table and index (0.2-0.3 s a test, measured,
    against a few ms); foreign keys are not checked while every table is emptied."""
    name = f"roost_test_{os.getpid()}"
    pg_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_server.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
    tables = pg_server.column(
        "SELECT quote_ident(tablename) FROM pg_tables"
        " WHERE schemaname = 'public' AND tablename <> 'alembic_version'",
        database=name,
    )
    empty = (
        "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid();"
        " SET session_replication_role = replica;"
        + "".join(f" DELETE FROM {table};" for table in tables)
        + " SET session_replication_role = DEFAULT"
    )
    yield name, empty
    pg_server.disconnect(name)
    pg_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, template_db: str) -> str:
    if BACKEND == "postgresql":
        name, empty = request.getfixturevalue("session_db")
        request.getfixturevalue("pg_server").execute(empty, database=name)
        return asyncpg_url(name)
    shutil.copy(template_db, tmp_path / "roost.sqlite3")
    return ""


@pytest.fixture(scope="session")
def redis_url() -> str:
    """``REDIS_URL``, for tests that need Redis in every mode; they skip without one
    (which CI reports as a failure)."""
    import redis

    client = redis_cluster.client(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"these tests need Redis at {REDIS_URL}: {exc}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    prefix = f"roost-test:{os.getpid()}:{next(_numbers)}:"
    yield prefix
    delete_redis_keys(prefix)


def delete_redis_keys(prefix: str) -> None:
    """Delete a test's keys. The SQLite pass uses Redis too (the scaled and process
    tests, on REDIS_URL), so the keys are looked for there whatever the pass (on every
    master of a cluster); a machine without Redis has none to delete."""
    import redis

    try:
        redis_cluster.delete_keys(REDIS_URL, f"{prefix}*")
    except redis.ConnectionError:
        if REDIS or redis_cluster.CLUSTER:
            raise


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
        # No link-card fetches to the web from tests that post links (example.com):
        # tests/cards turns them on, against a site of its own on loopback.
        preview_cards=False,
        # Four test processes with their browsers and servers on two cores have stalled
        # a loopback connect to a live Redis past the 1 s default, which opened the
        # breaker and failed the test's jobs. The tests of a silent Redis set their own.
        redis_connect_timeout=5.0,
        redis_socket_timeout=5.0,
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


@pytest.fixture
def factory(runtime: Runtime) -> Factory:
    return Factory(runtime)


Scaled = tuple[Runtime, httpx.AsyncClient, Factory]
SCALED = {"redis_url": REDIS_URL, "timeline_cap": 6, "fanout_limit": 2}


@pytest.fixture
async def scaled(app_client: AppClient) -> AsyncIterator[Scaled]:
    """A runtime and in-process app on Redis (``REDIS_URL``) under the test's own key
    prefix, whatever the run's mode, with a tiny timeline cap and fan-out limit."""
    async with app_client(**SCALED) as (client, runtime):
        yield runtime, client, Factory(runtime)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """More ``ROOST_*`` settings for this module's live server (a module overrides it)."""
    return {}


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    template_db: str,
    live_server_env: dict[str, str],
) -> Iterator[str]:
    """A real ``roost serve`` process on a free port, on this run's backend (its own
    PostgreSQL database and Redis prefix when the run uses them); yields its base URL.
    A test module adds settings of its own by overriding ``live_server_env``."""
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
        # No link-card fetches to the web (see ``settings``); a module that serves pages
        # of its own turns them on in its ``live_server_env``.
        "ROOST_PREVIEW_CARDS": "false",
        **live_server_env,
    }
    database = f"roost_test_{os.getpid()}_live{port}"
    server: Server | None = None
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        server.execute(f"CREATE DATABASE {database} TEMPLATE {template_db}")
        env["ROOST_DATABASE_URL"] = asyncpg_url(database)
    else:  # migrated already: the server's start finds nothing to apply
        shutil.copy(template_db, data / "roost.sqlite3")
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "roost.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    LIVE_DATABASES[base] = (
        ("postgresql", database) if server is not None else ("sqlite", str(data / "roost.sqlite3"))
    )
    LIVE_ENVIRONMENTS[base] = env
    # A bound, not a speed: on a loaded two-core machine a start has taken over 30 s.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        process.wait()
        log.close()
        raise RuntimeError((data / "server.log").read_text())
    yield base
    LIVE_DATABASES.pop(base, None)
    LIVE_ENVIRONMENTS.pop(base, None)
    process.terminate()
    process.wait(timeout=15)
    log.close()
    if server is not None:
        server.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    delete_redis_keys(env["ROOST_REDIS_PREFIX"])


@pytest.fixture(scope="module")
def live_sql(request: pytest.FixtureRequest, live_server: str) -> Iterator[Callable[[str], None]]:
    """Run one SQL statement on the module's live server's database, for what no API
    does yet, as an operator would at a database prompt (make someone a moderator:
    ``UPDATE accounts SET role = 'moderator' WHERE username = 'mona'``)."""
    kind, where = LIVE_DATABASES[live_server]
    if kind == "postgresql":
        server: Server = request.getfixturevalue("pg_server")
        yield lambda sql: server.execute(sql, database=where)
        server.disconnect(where)
        return

    def run(sql: str) -> None:
        connection = sqlite3.connect(where, timeout=30)
        try:
            with connection:
                connection.execute(sql)
        finally:
            connection.close()

    yield run


@pytest.fixture(scope="module")
def live_admin(live_server: str) -> Callable[..., str]:
    """Run ``roost admin ARGS`` on the module's live server's data, as its operator
    does (a process of its own, the server's settings); answers what it printed."""

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "roost.cli", "admin", *args],
            env=LIVE_ENVIRONMENTS[live_server],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    return run


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3 server on loopback for the session: moto's server mode (moto[server]), the
    standard S3 emulator on PyPI, spoken to over HTTP like any S3-compatible store."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_settings(endpoint: str, bucket: str) -> dict[str, Any]:
    """The settings that put a runtime's media in ``bucket`` on ``endpoint``, each file
    readable by anyone (``public-read``: moto, like S3, refuses anonymous reads else)."""
    return {
        "media_s3_bucket": bucket,
        "media_s3_endpoint": endpoint,
        "media_s3_region": "us-east-1",
        "media_s3_access_key_id": "roost-test",
        "media_s3_secret_access_key": "roost-test-secret",
        "media_s3_acl": "public-read",
    }


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="roost-test",
        aws_secret_access_key="roost-test-secret",
    )


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    """A new, empty bucket of the test's own."""
    name = f"roost-test-{os.getpid()}-{next(_numbers)}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name
