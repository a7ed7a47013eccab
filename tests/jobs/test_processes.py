"""Jobs across real processes: `roost serve` and `roost worker` subprocesses on one
PostgreSQL database and one Redis. A job queued after commit is run by a worker; a
worker killed mid fan-out, a lost queue, or an API process that died between commit
and queueing loses no delivery; `roost serve --workers 2 --run-jobs` needs no worker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from roost.core.db import utcnow
from roost.core.nodes import NodeLease
from roost.core.settings import Settings
from roost.jobs.queue import stream_key
from roost.runtime import Runtime
from roost.statuses.service import post_status
from tests.factories import Factory, User
from tests.jobs.cluster import (
    Cluster,
    delivered,
    newest_entries,
    outbox_size,
    seed_followers,
    token_for,
)
from tests.redis_cluster import delete_keys

pytestmark = pytest.mark.timeout(240)


async def post(http: httpx.AsyncClient, author: User, text: str) -> int:
    response = await http.post("/api/v1/statuses", json={"status": text}, headers=author.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


async def wait_until(
    check: Callable[[], Awaitable[bool]],
    cluster: Cluster,
    seconds: float = 60,
    every: float = 0.05,
) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out\n{cluster.logs()}")
        await asyncio.sleep(every)


async def queued_messages(runtime: Runtime) -> int:
    assert runtime.redis is not None
    return int(await runtime.redis.xlen(stream_key(runtime.settings.redis_prefix)))


async def assert_home_ends_with_once(runtime: Runtime, owners: list[int], status_id: int) -> None:
    for owner in owners:
        newest = await newest_entries(runtime, owner)
        assert newest[:1] == [status_id], f"{owner}: {newest}"
        assert newest.count(status_id) == 1


async def test_a_job_queued_after_commit_is_run_by_a_worker(
    cluster: Cluster, observer: Runtime
) -> None:
    factory = Factory(observer)
    author = await factory.user("author")
    followers = await seed_followers(observer, author, 5)
    cluster.serve()
    async with httpx.AsyncClient(base_url=cluster.base_url) as http:
        headers = await token_for(observer, factory, followers[0])
        home = await http.get("/api/v1/timelines/home", headers=headers)
        assert home.json() == []  # and kept
        status = await post(http, author, "hello, workers")
        await asyncio.sleep(1.5)
        # Queued, but the API process runs no job: nothing arrives without a worker.
        assert await queued_messages(observer) >= 1
        assert await outbox_size(observer) == 1
        assert await delivered(observer, followers, status) == 0

        cluster.worker("--concurrency", "2")
        await wait_until(lambda: _equal(delivered(observer, followers, status), 5), cluster)
        await wait_until(lambda: _equal(outbox_size(observer), 0), cluster)
        # The worker renders the reader's kept page again (timelines/page_refresh.py).
        await wait_until(lambda: kept_page_shows(observer, followers[0], status), cluster)
        home = await http.get("/api/v1/timelines/home", headers=headers)
        assert [s["id"] for s in home.json()] == [str(status)]


async def kept_page_shows(runtime: Runtime, owner_id: int, status_id: int) -> bool:
    assert runtime.page_cache is not None and runtime.redis is not None
    [page] = await runtime.page_cache.kept_for(owner_id)
    body = await runtime.redis.hget(page.key, "b")
    return body is not None and f'"id":"{status_id}"'.encode() in body


FOLLOWERS = 1000


async def test_a_worker_killed_mid_fan_out_loses_no_delivery(
    tmp_path: Path, cluster_settings: Settings
) -> None:
    # One delivery per batch, so that a fan-out takes long enough to be caught.
    slow = cluster_settings.model_copy(update={"fanout_batch": 1})
    cluster = Cluster(tmp_path / "slow", slow)
    (tmp_path / "slow").mkdir()
    observer = Runtime(slow)
    await observer.start(sweep=False)
    try:
        factory = Factory(observer)
        author = await factory.user("celebrity")
        followers = await seed_followers(observer, author, FOLLOWERS)
        cluster.serve()
        first = cluster.worker()
        async with httpx.AsyncClient(base_url=cluster.base_url) as http:
            await asyncio.sleep(2)  # the worker is up and reading the queue
            status = await post(http, author, "to everyone")
            # Deliveries go in follower id order: watch the first few, kill at once.
            await wait_until(
                lambda: _at_least(delivered(observer, followers[:100], status), 10),
                cluster,
                every=0.002,
            )
            first.kill()
            at_kill = await delivered(observer, followers, status)
            await asyncio.sleep(1)
            stuck = await delivered(observer, followers, status)
            assert 0 < at_kill == stuck < FOLLOWERS, "the kill did not land mid fan-out"
            assert await outbox_size(observer) == 1  # the unfinished job is still owed

            cluster.worker()
            await wait_until(
                lambda: _equal(delivered(observer, followers, status), FOLLOWERS), cluster
            )
            await wait_until(lambda: _equal(outbox_size(observer), 0), cluster)
            await assert_home_ends_with_once(observer, followers, status)
            for follower in followers[:: FOLLOWERS // 10]:
                headers = await token_for(observer, factory, follower)
                home = await http.get("/api/v1/timelines/home", headers=headers)
                assert [s["id"] for s in home.json()] == [str(status)]
    finally:
        cluster.stop()
        await observer.stop()


async def test_the_sweep_re_drives_jobs_whose_queue_was_lost(
    cluster: Cluster, observer: Runtime, redis_url: str
) -> None:
    factory = Factory(observer)
    author = await factory.user("author")
    followers = await seed_followers(observer, author, 20)
    prefix = observer.settings.redis_prefix
    cluster.serve()
    async with httpx.AsyncClient(base_url=cluster.base_url) as http:
        before = [await post(http, author, f"queued, then lost {n}") for n in range(3)]
        assert await queued_messages(observer) >= 3
        assert delete_keys(redis_url, f"{stream_key(prefix)}*") >= 1  # the queue is gone
        assert await queued_messages(observer) == 0
        assert await outbox_size(observer) == 3

        cluster.worker()
        for status in before:
            await wait_until(
                lambda s=status: _equal(delivered(observer, followers, s), 20), cluster
            )

        # Lost again while a worker is reading it: the worker declares its group anew.
        delete_keys(redis_url, f"{stream_key(prefix)}*")
        after = [await post(http, author, f"after the loss {n}") for n in range(3)]
        for status in after:
            await wait_until(
                lambda s=status: _equal(delivered(observer, followers, s), 20), cluster
            )
        await wait_until(lambda: _equal(outbox_size(observer), 0), cluster)
        # Each exactly once; not in posting order: what the sweep re-drove came later.
        for owner in followers:
            newest = await newest_entries(observer, owner)
            assert sorted(s for s in newest if s in after) == sorted(after), f"{owner}: {newest}"


async def test_the_sweep_re_drives_a_job_whose_process_died_before_queueing_it(
    cluster: Cluster, observer: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory = Factory(observer)
    author = await factory.user("author")
    followers = await seed_followers(observer, author, 10)
    # Committed, then the process "died": its after-commit kick never happened.
    monkeypatch.setattr(observer.jobs, "kick", lambda job_id: None)
    async with observer.db.write() as session:
        status = await post_status(
            session=session,
            runtime=observer,
            author=author.account,
            app_id=None,
            text="committed, never queued",
        )
    assert await outbox_size(observer) == 1
    assert await queued_messages(observer) == 0

    cluster.worker()
    await wait_until(lambda: _equal(delivered(observer, followers, status.id), 10), cluster)
    await wait_until(lambda: _equal(outbox_size(observer), 0), cluster)
    await assert_home_ends_with_once(observer, followers, status.id)


async def test_serve_with_two_processes_runs_jobs_without_a_worker(
    cluster: Cluster, observer: Runtime
) -> None:
    factory = Factory(observer)
    author = await factory.user("author")
    followers = await seed_followers(observer, author, 10)
    cluster.serve("--workers", "2", "--run-jobs")

    async def live_leases() -> int:
        async with observer.db.read() as session:
            holders = await session.scalars(
                select(NodeLease.holder).where(NodeLease.expires_at > utcnow())
            )
            return len(set(holders))

    # The test's own runtime and each API process hold a snowflake node of their own.
    await wait_until(lambda: _at_least(live_leases(), 3), cluster, seconds=60)
    async with httpx.AsyncClient(base_url=cluster.base_url) as http:
        statuses = [await post(http, author, f"post {n}") for n in range(6)]
    assert len(set(statuses)) == 6
    for status in statuses:
        await wait_until(lambda s=status: _equal(delivered(observer, followers, s), 10), cluster)
    await wait_until(lambda: _equal(outbox_size(observer), 0), cluster)


def test_a_worker_refuses_to_start_without_redis(tmp_path: Path) -> None:
    env = {**os.environ, "ROOST_DATA_DIR": str(tmp_path), "ROOST_REDIS_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "roost.cli", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ROOST_REDIS_URL" in done.stderr


async def _equal(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def _at_least(value: Awaitable[int], expected: int) -> bool:
    return await value >= expected
