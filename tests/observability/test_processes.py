"""Metrics and logs of a real deployment: `roost serve --workers 2` and a `roost worker
--metrics-port`, on this run's database and Redis, logging JSON. One set of processes
for the module.

A scrape reaches one of the two API processes and still counts the requests of both
(prometheus_client's multiprocess mode); the worker's own page shows the fan-out of a
post made through the API; the worker's log line for that job carries the id of the
request that made the post."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from roost.core.settings import Settings
from roost.runtime import Runtime
from tests import redis_cluster
from tests.conftest import BACKEND, Server, asyncpg_url, delete_redis_keys, free_port
from tests.factories import Factory, User
from tests.observability.scrape import REQUESTS, Metrics, parse

pytestmark = pytest.mark.timeout(240)


@dataclass
class Deployment:
    api: str
    worker: str
    settings: Settings
    folder: Path
    processes: dict[str, subprocess.Popen[bytes]]

    def log_lines(self, name: str) -> list[dict[str, object]]:
        """What a process wrote (uvicorn's access lines go to stdout, the rest to
        stderr), every line parsed as JSON."""
        text = "".join((self.folder / f"{name}.{out}").read_text() for out in ("out", "err"))
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.folder.glob("*.*"))
            if path.suffix in {".out", ".err"}
        )


def _start(
    folder: Path, name: str, args: list[str], env: dict[str, str]
) -> subprocess.Popen[bytes]:
    with (folder / f"{name}.out").open("w") as out, (folder / f"{name}.err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "roost.cli", *args], env=env, stdout=out, stderr=err
        )


def _wait_healthy(url: str, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "\n".join(p.read_text() for p in folder.glob("*.err"))
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not start")


@pytest.fixture(scope="module")
def deployment(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    template_db: str,
    redis_url: str,
) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("observed")
    port, metrics_port = free_port(), free_port()
    prefix = f"roost-test:{os.getpid()}:observed{port}:"
    database_url = ""
    pg: Server | None = None
    name = f"roost_test_{os.getpid()}_observed{port}"
    if BACKEND == "postgresql":
        pg = request.getfixturevalue("pg_server")
        pg.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        database_url = asyncpg_url(name)
    else:
        shutil.copy(template_db, folder / "roost.sqlite3")
    settings = Settings(
        data_dir=folder,
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        domain=f"127.0.0.1:{port}",
        secret_key="test-secret",
        rate_limits=False,
    )
    env = {
        **os.environ,
        "ROOST_DATA_DIR": str(folder),
        "ROOST_DATABASE_URL": database_url,
        "ROOST_REDIS_URL": redis_url,
        "ROOST_REDIS_PREFIX": prefix,
        "ROOST_DOMAIN": settings.domain,
        "ROOST_SECRET_KEY": "test-secret",
        "ROOST_RATE_LIMITS": "off",
        "ROOST_LOG_FORMAT": "json",
    }
    env.pop("ROOST_SERVE_RUNS_JOBS", None)  # jobs run by the worker only
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    processes = {
        "serve": _start(
            folder, "serve", ["serve", "--no-migrate", "--workers", "2", "--port", str(port)], env
        ),
        "worker": _start(
            folder,
            "worker",
            ["worker", "--concurrency", "2", "--metrics-port", str(metrics_port)],
            env,
        ),
    }
    running = Deployment(
        api=f"http://127.0.0.1:{port}",
        worker=f"http://127.0.0.1:{metrics_port}",
        settings=settings,
        folder=folder,
        processes=processes,
    )
    try:
        _wait_healthy(running.api, processes["serve"], folder)
        _wait_healthy(running.worker, processes["worker"], folder)
        yield running
        # SIGTERM reaches the worker's own handler through its metrics server: it stops
        # serving, then finishes its jobs and exits cleanly.
        processes["worker"].terminate()
        assert processes["worker"].wait(timeout=30) == 0, running.logs()
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if pg is not None:
            pg.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        delete_redis_keys(prefix)


@pytest.fixture
async def observer(deployment: Deployment) -> AsyncIterator[Runtime]:
    """The test's own view of the deployment's database and Redis (it runs no jobs)."""
    runtime = Runtime(deployment.settings)
    await runtime.start(sweep=False)
    yield runtime
    await runtime.stop()


async def scrape(http: httpx.AsyncClient, base: str) -> Metrics:
    response = await http.get(f"{base}/metrics")
    assert response.status_code == 200, response.text
    return parse(response.text)


async def test_a_scrape_counts_the_requests_of_every_api_process(
    deployment: Deployment, observer: Runtime
) -> None:
    async with httpx.AsyncClient() as http:
        before = await scrape(http, deployment.api)
        for _ in range(20):
            # A connection each, so that both processes take some of them.
            async with httpx.AsyncClient() as fresh:
                answer = await fresh.get(f"{deployment.api}/api/v1/instance")
                assert answer.status_code == 200
        after = await scrape(http, deployment.api)
    route = {"method": "GET", "route": "/api/v1/instance", "status": "200"}
    assert after.value(REQUESTS, **route) - before.value(REQUESTS, **route) == 20
    # What each live process holds is summed: two processes, twice one's pools.
    one = sum(capacity for _, capacity in observer.db.pools.values())
    assert after.value("roost_db_pool_capacity") == 2 * one
    # A Redis Cluster's client keeps a pool per node and counts nothing (core/redis.py).
    if not redis_cluster.CLUSTER:
        assert after.value("roost_redis_pool_capacity") > 0
    assert after.has("roost_job_queue_depth") and after.has("roost_outbox_jobs")


async def _follower_and_author(observer: Runtime, http: httpx.AsyncClient, api: str) -> User:
    factory = Factory(observer)
    number = time.monotonic_ns()
    author = await factory.user(f"author{number}")
    reader = await factory.user(f"reader{number}")
    follow = await http.post(f"{api}/api/v1/accounts/{author.id}/follow", headers=reader.headers)
    assert follow.status_code == 200
    home = await http.get(f"{api}/api/v1/timelines/home", headers=reader.headers)
    assert home.status_code == 200  # the reader is active: fan-out delivers to them
    return author


async def _wait_for(
    http: httpx.AsyncClient, deployment: Deployment, name: str, at_least: float, **labels: str
) -> Metrics:
    deadline = time.monotonic() + 60
    while True:
        metrics = await scrape(http, deployment.worker)
        if metrics.value(name, **labels) >= at_least:
            return metrics
        assert time.monotonic() < deadline, f"{name} stayed below {at_least}\n{deployment.logs()}"
        await asyncio.sleep(0.05)


async def test_the_counters_move_as_a_post_fans_out(
    deployment: Deployment, observer: Runtime
) -> None:
    async with httpx.AsyncClient() as http:
        author = await _follower_and_author(observer, http, deployment.api)
        api_before = await scrape(http, deployment.api)
        worker_before = await scrape(http, deployment.worker)
        posted = await http.post(
            f"{deployment.api}/api/v1/statuses",
            json={"status": "watched"},
            headers=author.headers,
        )
        assert posted.status_code == 200
        lag = "roost_fanout_lag_seconds_count"
        done = {"kind": "fan_out", "outcome": "done"}
        runs = worker_before.value("roost_job_runs_total", **done)
        # Counted once its row is gone, after the lag (taken at its last delivery).
        worker_after = await _wait_for(http, deployment, "roost_job_runs_total", runs + 1, **done)
        api_after = await scrape(http, deployment.api)
        ready = [
            await http.get(f"{base}/health/ready") for base in (deployment.api, deployment.worker)
        ]

    def moved(before: Metrics, after: Metrics, name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved(worker_before, worker_after, lag) == 1
    assert moved(worker_before, worker_after, "roost_fanout_lag_seconds_sum") > 0
    assert moved(worker_before, worker_after, "roost_job_runs_total", **done) == 1
    assert moved(api_before, api_after, "roost_posts_created_total", visibility="public") == 1
    post = {"method": "POST", "route": "/api/v1/statuses", "status": "200"}
    assert moved(api_before, api_after, REQUESTS, **post) == 1
    # The API runs no job here: its processes ran no fan-out.
    assert moved(api_before, api_after, lag) == 0
    assert [answer.json()["checks"] for answer in ready] == [{"database": "ok", "redis": "ok"}] * 2


async def test_the_request_id_reaches_the_workers_json_log_line(
    deployment: Deployment, observer: Runtime
) -> None:
    request_id = f"obs-{time.monotonic_ns()}"
    async with httpx.AsyncClient() as http:
        author = await _follower_and_author(observer, http, deployment.api)
        runs = await scrape(http, deployment.worker)
        posted = await http.post(
            f"{deployment.api}/api/v1/statuses",
            json={"status": "traced"},
            headers={**author.headers, "X-Request-Id": request_id},
        )
        assert posted.status_code == 200
        assert posted.headers["x-request-id"] == request_id
        done = {"kind": "fan_out", "outcome": "done"}
        await _wait_for(
            http,
            deployment,
            "roost_job_runs_total",
            runs.value("roost_job_runs_total", **done) + 1,
            **done,
        )
    # Every line either process wrote parses; the worker's line for the job names the
    # request, and so does the API's access line for it.
    job = [
        line
        for line in deployment.log_lines("worker")
        if line.get("request_id") == request_id and line["logger"] == "roost.jobs.runner"
    ]
    assert len(job) == 1 and "(fan_out) done" in str(job[0]["message"]), deployment.logs()
    access = [
        line
        for line in deployment.log_lines("serve")
        if line.get("request_id") == request_id and line["logger"] == "uvicorn.access"
    ]
    assert len(access) == 1, deployment.logs()
    assert (access[0]["method"], access[0]["path"], access[0]["status_code"]) == (
        "POST",
        "/api/v1/statuses",
        200,
    )
