"""The Redis job queue, with runtimes in this process standing in for API processes
and workers: a kick queues the job, a consumer runs it once, the outbox row stays
the truth, and the queue survives being flushed."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import select, update

from roost.core.db import as_utc, commit, utcnow
from roost.core.ids import new_id
from roost.core.settings import Settings
from roost.jobs.models import OutboxJob
from roost.jobs.outbox import schedule_job
from roost.jobs.queue import QueueJobRunner, stream_key
from roost.jobs.runner import job
from roost.runtime import Runtime
from tests.redis_cluster import delete_keys

RUNS: dict[str, int] = defaultdict(int)
RUNNING: dict[str, int] = defaultdict(int)
MOST_AT_ONCE: dict[str, int] = defaultdict(int)
PAUSE: dict[str, float] = defaultdict(float)


@job("test.queued")
async def queued(runtime: Runtime, *, key: str) -> None:
    RUNS[key] += 1
    RUNNING[key] += 1
    MOST_AT_ONCE[key] = max(MOST_AT_ONCE[key], RUNNING[key])
    try:
        await asyncio.sleep(PAUSE[key])
        if key.startswith("fail"):
            raise RuntimeError("no luck")
    finally:
        RUNNING[key] -= 1


@asynccontextmanager
async def running(settings: Settings, *, consume: bool = False) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    await runtime.start(sweep=False)
    if consume:
        queue(runtime).consume(4)
    try:
        yield runtime
    finally:
        await runtime.stop()


def queue(runtime: Runtime) -> QueueJobRunner:
    assert isinstance(runtime.jobs, QueueJobRunner)
    return runtime.jobs


async def schedule(runtime: Runtime, key: str) -> int:
    async with runtime.db.write() as session:
        schedule_job(session, runtime, "test.queued", key=key)
        (job_id,) = (o.id for o in session.new if isinstance(o, OutboxJob))
        await commit(session)
    return job_id


async def queued_messages(runtime: Runtime) -> int:
    assert runtime.redis is not None
    return int(await runtime.redis.xlen(stream_key(runtime.settings.redis_prefix)))


async def outbox(runtime: Runtime) -> list[OutboxJob]:
    async with runtime.db.read() as session:
        return list(await session.scalars(select(OutboxJob)))


async def eventually(check: object, seconds: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_a_kick_queues_the_job_and_a_consumer_runs_it(queue_settings: Settings) -> None:
    async with running(queue_settings) as api:
        job_id = await schedule(api, "kick")
        await eventually(lambda: _positive(queued_messages(api)))
        await asyncio.sleep(0.2)
        assert RUNS["kick"] == 0  # the API process does not run it
        assert [row.id for row in await outbox(api)] == [job_id]

        async with running(queue_settings, consume=True):
            await api.jobs.drain()
            assert RUNS["kick"] == 1
            assert await outbox(api) == []
            # Acknowledged messages are deleted too: the stream does not grow.
            await eventually(lambda: _zero(queued_messages(api)))


async def test_a_job_queued_many_times_runs_once(queue_settings: Settings) -> None:
    PAUSE["many"] = 0.3
    async with (
        running(queue_settings) as api,
        running(queue_settings, consume=True),
        running(queue_settings, consume=True),
    ):
        job_id = await schedule(api, "many")
        for _ in range(4):
            api.jobs.kick(job_id)
        await api.jobs.drain()
        await eventually(lambda: _zero(queued_messages(api)))
        assert MOST_AT_ONCE["many"] == 1
        assert RUNS["many"] == 1  # later messages found the row gone: done
        assert await outbox(api) == []


async def test_a_long_job_keeps_its_claim_while_it_runs(queue_settings: Settings) -> None:
    PAUSE["long"] = 2.0
    async with (
        running(queue_settings) as api,
        running(queue_settings, consume=True) as one,
        running(queue_settings, consume=True) as other,
    ):
        queue(one).lease = queue(other).lease = 0.5  # renewed every 1/6 s
        job_id = await schedule(api, "long")
        await eventually(lambda: _true(RUNNING["long"] == 1))
        for _ in range(3):
            await asyncio.sleep(0.5)  # past the lease: only renewals keep the claim
            api.jobs.kick(job_id)
        await api.jobs.drain()
        assert MOST_AT_ONCE["long"] == 1
        assert RUNS["long"] == 1


async def test_a_message_whose_row_is_gone_is_dropped(queue_settings: Settings) -> None:
    async with running(queue_settings) as api, running(queue_settings, consume=True):
        api.jobs.kick(new_id())
        await api.jobs.drain()
        await eventually(lambda: _zero(queued_messages(api)))


async def test_a_failed_job_gets_a_retry_time_and_the_sweep_requeues_it(
    queue_settings: Settings,
) -> None:
    async with running(queue_settings) as api, running(queue_settings, consume=True):
        started = utcnow()
        job_id = await schedule(api, "fail-once")
        await api.jobs.drain()
        (failed,) = await outbox(api)
        assert failed.id == job_id and failed.attempts == 1
        assert failed.last_error == "RuntimeError: no luck"
        assert as_utc(failed.next_attempt_at) - started >= timedelta(seconds=2)

        async def due_in(seconds: float) -> None:  # the failed row due that far from now
            async with api.db.write() as session:
                later = utcnow() + timedelta(seconds=seconds)
                await session.execute(update(OutboxJob).values(next_attempt_at=later))
                await session.commit()

        await due_in(60)  # not due yet (on a loaded machine 2 s may pass before the sweep)
        assert await api.jobs.sweep() == 0
        await due_in(0)
        assert await api.jobs.sweep() == 1
        await eventually(lambda: _true(RUNS["fail-once"] == 2))


async def test_many_sweepers_queue_a_due_row_once(queue_settings: Settings) -> None:
    async with running(queue_settings) as one, running(queue_settings) as other:
        async with one.db.write() as session:
            for key in ("swept-a", "swept-b"):
                session.add(
                    OutboxJob(
                        id=new_id(),
                        kind="test.queued",
                        payload={"key": key},
                        next_attempt_at=utcnow() - timedelta(seconds=1),
                    )
                )
            await session.commit()
        counts = await asyncio.gather(*(r.jobs.sweep() for r in (one, other, one, other)))
        assert sum(counts) == 2
        assert await queued_messages(one) == 2
        # Each row is held back from the next sweeps until it is due again.
        for row in await outbox(one):
            assert as_utc(row.next_attempt_at) > utcnow()


async def test_the_queue_comes_back_after_redis_lost_it(
    queue_settings: Settings, redis_url: str
) -> None:
    async with running(queue_settings) as api, running(queue_settings, consume=True) as worker:
        await schedule(api, "before")
        await api.jobs.drain()
        assert RUNS["before"] == 1

        prefix = queue_settings.redis_prefix
        assert delete_keys(redis_url, f"{stream_key(prefix)}*") >= 1  # the stream and its group
        lost = await schedule(api, "lost")  # queued into a stream nobody reads any more
        await api.jobs.drain()  # the consumer declared its group again and read it
        assert RUNS["lost"] == 1

        # A message lost outright: the sweep of any process queues its row again.
        delete_keys(redis_url, f"{stream_key(prefix)}*")
        async with api.db.write() as session:
            session.add(
                OutboxJob(
                    id=new_id(),
                    kind="test.queued",
                    payload={"key": "orphan"},
                    next_attempt_at=utcnow() + timedelta(seconds=1),
                )
            )
            await session.commit()
        worker.jobs.start_sweeping()
        await eventually(lambda: _true(RUNS["orphan"] == 1))
        await eventually(lambda: _empty(outbox(api)))
        assert lost not in {row.id for row in await outbox(api)}


async def _positive(count: object) -> bool:
    return await count > 0  # type: ignore[operator,no-any-return]


async def _zero(count: object) -> bool:
    return await count == 0  # type: ignore[misc,no-any-return]


async def _empty(rows: object) -> bool:
    return not await rows  # type: ignore[misc]


async def _true(value: bool) -> bool:
    return value
