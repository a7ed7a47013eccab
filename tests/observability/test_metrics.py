"""The metrics page in one process: who may read it, and each metric moving when what it
counts happens (requests by route template, posts, notifications, fan-out lag, jobs,
re-drives, the queue, kept pages, pools). Counters are the process's own, so each test
looks at what moved between two scrapes."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx
from sqlalchemy import select

from roost.app import create_app
from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.core.redis import is_cluster
from roost.jobs.models import OutboxJob
from roost.jobs.runner import MAX_ATTEMPTS
from roost.runtime import Runtime
from tests.conftest import AppClient, Scaled
from tests.factories import Factory
from tests.observability.scrape import REQUESTS, parse, scrape


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    before = await scrape(client)
    for missing in ("1", "22", "333"):
        answer = await client.get(f"/api/v1/statuses/{missing}", headers=alice.headers)
        assert answer.status_code == 404
    assert (await client.get("/api/v1/instance/")).status_code == 200  # trailing slash
    assert (await client.get("/no/such/page")).status_code == 404
    after = await scrape(client)

    def moved(**labels: str) -> float:
        return after.value(REQUESTS, **labels) - before.value(REQUESTS, **labels)

    assert moved(method="GET", route="/api/v1/statuses/{status_id}", status="404") == 3
    assert moved(method="GET", route="/api/v1/instance", status="200") == 1
    assert moved(method="GET", route="unmatched", status="404") == 1
    assert moved(method="GET", route="/metrics", status="200") == 1  # the first scrape
    # A route label is a template, never a path someone typed.
    routes = after.labels(REQUESTS, "route")
    assert not [route for route in routes if "333" in route or "such" in route]
    assert after.value("roost_http_request_duration_seconds_bucket", le="+Inf") == after.value(
        REQUESTS
    )


async def test_the_metrics_are_for_this_machine_or_the_token(
    client: httpx.AsyncClient, app_client: AppClient
) -> None:
    assert (await client.get("/metrics")).status_code == 200  # a loopback client
    async with app_client() as (_, runtime):
        app = create_app(runtime.settings, runtime)
        elsewhere = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 4000)),
            base_url="http://localhost",
        )
        async with elsewhere:
            refused = await elsewhere.get("/metrics")
            assert refused.status_code == 403
            assert "ROOST_METRICS_TOKEN" in refused.json()["error"]
            assert (await elsewhere.get("/health")).status_code == 200
    async with app_client(metrics_token="scrape-s3cret") as (guarded, _):
        assert (await guarded.get("/metrics")).status_code == 401  # loopback is not enough
        wrong = {"Authorization": "Bearer not-it"}
        assert (await guarded.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": "Bearer scrape-s3cret"}
        assert (await guarded.get("/metrics", headers=right)).status_code == 200


async def test_a_post_counts_once_fans_out_and_notifies(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    author = await factory.user("author")
    reader = await factory.user("reader")
    follow = await client.post(f"/api/v1/accounts/{author.id}/follow", headers=reader.headers)
    assert follow.status_code == 200
    await client.get("/api/v1/timelines/home", headers=reader.headers)  # an active reader
    await runtime.jobs.drain()
    before = await scrape(client)
    posted = await client.post(
        "/api/v1/statuses", json={"status": "hello @reader"}, headers=author.headers
    )
    assert posted.status_code == 200
    await runtime.jobs.drain()
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("roost_posts_created_total", visibility="public") == 1
    assert moved("roost_notifications_sent_total", type="mention") == 1
    assert moved("roost_fanout_lag_seconds_count") == 1
    assert moved("roost_fanout_lag_seconds_sum") > 0
    assert moved("roost_job_runs_total", kind="fan_out", outcome="done") == 1
    assert moved("roost_job_duration_seconds_count", kind="fan_out") == 1
    home = await client.get("/api/v1/timelines/home", headers=reader.headers)
    assert [s["id"] for s in home.json()][:1] == [posted.json()["id"]]


async def test_failures_retries_re_drives_and_the_queue(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    before = await scrape(client)
    hopeless, waiting = new_id(), new_id()
    async with runtime.db.write() as session:
        session.add(OutboxJob(id=hopeless, kind="no.such.kind", payload={}))
        session.add(
            OutboxJob(
                id=waiting,
                kind="no.such.kind",
                payload={},
                next_attempt_at=utcnow() + timedelta(hours=1),
            )
        )
        await session.commit()
    await runtime.jobs.run_job(hopeless)  # fails: a retry is scheduled
    failed = await scrape(client)
    assert failed.value("roost_outbox_jobs", state="retrying") == 1
    assert failed.value("roost_outbox_jobs", state="pending") == 1  # the one that waits
    assert failed.value("roost_outbox_jobs", state="dead") == 0
    async with runtime.db.write() as session:
        row = await session.scalar(select(OutboxJob).where(OutboxJob.id == hopeless))
        assert row is not None
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        row.attempts = MAX_ATTEMPTS - 1
        await session.commit()
    assert await runtime.jobs.sweep() == 1  # the retry is due: re-driven
    deadline = time.monotonic() + 30
    while await attempts(runtime, hopeless) < MAX_ATTEMPTS:  # run here or by the queue
        assert time.monotonic() < deadline, "the re-driven job did not run"
        await asyncio.sleep(0.02)
    after = await scrape(client)

    def moved(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    assert moved("roost_job_runs_total", kind="no.such.kind", outcome="failed") == 2
    assert moved("roost_job_retries_total", kind="no.such.kind") == 1
    assert moved("roost_jobs_dead_total", kind="no.such.kind") == 1
    assert moved("roost_outbox_redrives_total") == 1
    assert after.value("roost_outbox_jobs", state="dead") == 1
    assert after.has("roost_job_queue_depth") == (runtime.redis is not None)


async def attempts(runtime: Runtime, job_id: int) -> int:
    async with runtime.db.read() as session:
        found = await session.scalar(select(OutboxJob.attempts).where(OutboxJob.id == job_id))
        return int(found or 0)


async def test_pool_gauges(client: httpx.AsyncClient, runtime: Runtime) -> None:
    metrics = await scrape(client)
    pools = metrics.labels("roost_db_pool_capacity", "pool")
    assert set(runtime.db.pools) <= pools
    assert metrics.value("roost_db_pool_capacity") >= sum(c for _, c in runtime.db.pools.values())
    if runtime.redis is not None:
        # A Redis Cluster's client keeps a pool per node and counts nothing (core/redis.py).
        if not is_cluster(runtime.redis):
            assert metrics.value("roost_redis_pool_capacity") >= 1
        assert metrics.has("roost_redis_pool_in_use")


async def test_a_redis_connection_in_use_is_counted(scaled: Scaled) -> None:
    runtime, client, _ = scaled
    assert runtime.redis is not None
    before = await scrape(client)
    async with runtime.redis.pubsub() as pubsub:
        await pubsub.subscribe(f"{runtime.settings.redis_prefix}obs-test")
        held = await scrape(client)
    after = await scrape(client)
    in_use = "roost_redis_pool_in_use"
    counted = 0 if is_cluster(runtime.redis) else 1  # a cluster's pools count nothing
    assert held.value(in_use) == before.value(in_use) + counted
    assert after.value(in_use) == before.value(in_use)


async def test_kept_page_hits_and_misses(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader = await factory.user("reader")
    before = await scrape(client)
    first = await client.get("/api/v1/timelines/home", headers=reader.headers)
    again = await client.get("/api/v1/timelines/home", headers=reader.headers)
    assert first.status_code == again.status_code == 200
    older = await client.get("/api/v1/timelines/home?max_id=1", headers=reader.headers)
    assert older.status_code == 200  # paging back is never kept: neither hit nor miss
    after = await scrape(client)
    assert (
        after.value("roost_kept_page_misses_total") - before.value("roost_kept_page_misses_total")
        == 1
    )  # the first read
    assert (
        after.value("roost_kept_page_hits_total") - before.value("roost_kept_page_hits_total") == 1
    )
    home = "/api/v1/timelines/home"
    assert (
        after.value(REQUESTS, route=home, status="200")
        - before.value(REQUESTS, route=home, status="200")
        == 3
    )  # the hit, answered before routing, counts under the route too


def test_the_page_parses_as_prometheus_reads_it() -> None:
    from roost.core.metrics import render

    metrics = parse(render().decode())
    assert metrics.has("roost_http_requests_in_progress")


async def test_a_database_connection_in_use_is_counted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    before = await scrape(client)
    async with runtime.db.read() as session:
        await session.execute(select(1))  # checks a connection out until the session ends
        held = await scrape(client)
    after = await scrape(client)
    in_use = "roost_db_pool_checked_out"
    assert held.value(in_use) == before.value(in_use) + 1
    assert after.value(in_use) == before.value(in_use)
