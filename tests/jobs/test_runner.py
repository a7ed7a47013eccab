"""The in-process runner (embedded mode): jobs run after commit, failures are retried
with a growing backoff, and the sweep re-drives what is due."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select, update

from roost.core.db import as_utc, commit, utcnow
from roost.core.ids import new_id
from roost.jobs.models import OutboxJob
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import MAX_ATTEMPTS, MAX_BACKOFF_SECONDS, backoff, job
from roost.runtime import Runtime

RUNS: dict[str, int] = defaultdict(int)
FAILURES_LEFT: dict[str, int] = defaultdict(int)
GATES: dict[str, asyncio.Event] = {}


@job("test.flaky")
async def flaky(runtime: Runtime, *, key: str) -> None:
    RUNS[key] += 1
    if FAILURES_LEFT[key] > 0:
        FAILURES_LEFT[key] -= 1
        raise RuntimeError(f"{key} is not ready")


@job("test.gated")
async def gated(runtime: Runtime, *, key: str) -> None:
    RUNS[key] += 1
    await GATES[key].wait()


async def schedule(runtime: Runtime, kind: str, key: str) -> int:
    async with runtime.db.write() as session:
        schedule_job(session, runtime, kind, key=key)
        await commit(session)
    return await only_job(runtime)


async def only_job(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        ids = list(await session.scalars(select(OutboxJob.id)))
    assert len(ids) == 1
    return ids[0]


async def row(runtime: Runtime, job_id: int) -> OutboxJob | None:
    async with runtime.db.read() as session:
        return await session.get(OutboxJob, job_id)


async def time_passes(runtime: Runtime, job_id: int) -> None:
    """As if the row's retry time had come."""
    async with runtime.db.write() as session:
        await session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == job_id)
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()


async def test_a_job_runs_after_commit_and_its_row_is_deleted(local_runtime: Runtime) -> None:
    async with local_runtime.db.write() as session:
        schedule_job(session, local_runtime, "test.flaky", key="commit")
        await asyncio.sleep(0.05)
        assert RUNS["commit"] == 0  # not before the commit
        await commit(session)
    await local_runtime.jobs.drain()
    assert RUNS["commit"] == 1
    async with local_runtime.db.read() as session:
        assert list(await session.scalars(select(OutboxJob))) == []


async def test_a_rolled_back_transaction_runs_no_job(local_runtime: Runtime) -> None:
    async with local_runtime.db.write() as session:
        schedule_job(session, local_runtime, "test.flaky", key="rollback")
        await session.flush()
        await session.rollback()
    await local_runtime.jobs.drain()
    assert RUNS["rollback"] == 0
    async with local_runtime.db.read() as session:
        assert list(await session.scalars(select(OutboxJob))) == []


async def test_a_failing_job_is_retried_with_a_growing_backoff(local_runtime: Runtime) -> None:
    FAILURES_LEFT["retry"] = 2
    started = utcnow()
    job_id = await schedule(local_runtime, "test.flaky", "retry")
    await local_runtime.jobs.drain()

    first = await row(local_runtime, job_id)
    assert first is not None and first.attempts == 1
    assert first.last_error == "RuntimeError: retry is not ready"
    wait = as_utc(first.next_attempt_at) - started
    assert timedelta(seconds=2) <= wait < timedelta(seconds=4)
    assert await local_runtime.jobs.sweep() == 0  # not due yet: the sweep leaves it

    await time_passes(local_runtime, job_id)
    retried = utcnow()
    assert await local_runtime.jobs.sweep() == 1
    await local_runtime.jobs.drain()
    second = await row(local_runtime, job_id)
    assert second is not None and second.attempts == 2
    wait = as_utc(second.next_attempt_at) - retried
    assert timedelta(seconds=4) <= wait < timedelta(seconds=6)

    await time_passes(local_runtime, job_id)
    assert await local_runtime.jobs.sweep() == 1
    await local_runtime.jobs.drain()
    assert await row(local_runtime, job_id) is None
    assert RUNS["retry"] == 3


def test_the_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 5)] == [2, 4, 8, 16]
    assert backoff(30) == timedelta(seconds=MAX_BACKOFF_SECONDS)


async def test_a_job_that_keeps_failing_is_left_for_a_person(local_runtime: Runtime) -> None:
    FAILURES_LEFT["hopeless"] = 10**6
    job_id = await schedule(local_runtime, "test.flaky", "hopeless")
    await local_runtime.jobs.drain()
    async with local_runtime.db.write() as session:
        await session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == job_id)
            .values(attempts=MAX_ATTEMPTS, next_attempt_at=utcnow() - timedelta(hours=1))
        )
        await session.commit()
    runs = RUNS["hopeless"]
    assert await local_runtime.jobs.sweep() == 0
    await local_runtime.jobs.drain()
    assert RUNS["hopeless"] == runs
    kept = await row(local_runtime, job_id)
    assert kept is not None and kept.last_error  # kept, with its error, for a person


async def test_a_job_of_an_unknown_kind_fails_like_any_other(local_runtime: Runtime) -> None:
    async with local_runtime.db.write() as session:
        session.add(OutboxJob(id=new_id(), kind="no.such.kind", payload={}))
        await session.commit()
    job_id = await only_job(local_runtime)
    local_runtime.jobs.kick(job_id)
    await local_runtime.jobs.drain()
    failed = await row(local_runtime, job_id)
    assert failed is not None and failed.attempts == 1
    assert failed.last_error is not None and "no.such.kind" in failed.last_error


async def test_the_sweep_re_drives_an_orphaned_row_and_only_when_due(
    local_runtime: Runtime,
) -> None:
    # The process died between commit and kick: a row nobody is running.
    async with local_runtime.db.write() as session:
        session.add(
            OutboxJob(
                id=new_id(),
                kind="test.flaky",
                payload={"key": "orphan"},
                next_attempt_at=utcnow() + timedelta(seconds=30),
            )
        )
        await session.commit()
    job_id = await only_job(local_runtime)
    assert await local_runtime.jobs.sweep() == 0  # its kick may still be on its way
    await time_passes(local_runtime, job_id)
    assert await local_runtime.jobs.sweep() == 1
    await local_runtime.jobs.drain()
    assert RUNS["orphan"] == 1
    assert await row(local_runtime, job_id) is None


async def test_a_job_kicked_while_running_does_not_run_twice_at_once(
    local_runtime: Runtime,
) -> None:
    GATES["gated"] = asyncio.Event()
    job_id = await schedule(local_runtime, "test.gated", "gated")
    for _ in range(50):
        if RUNS["gated"]:
            break
        await asyncio.sleep(0.01)
    local_runtime.jobs.kick(job_id)
    await time_passes(local_runtime, job_id)
    await local_runtime.jobs.sweep()
    await asyncio.sleep(0.05)
    assert RUNS["gated"] == 1
    GATES["gated"].set()
    await local_runtime.jobs.drain()
    assert RUNS["gated"] == 1
    assert await row(local_runtime, job_id) is None


async def test_a_delayed_job_waits_in_the_database_until_due(runtime: Runtime) -> None:
    """``run_at``: nothing starts the job after commit, a sweep before its time leaves
    it, and the first sweep after it runs it once."""
    later = utcnow() + timedelta(hours=1)
    async with runtime.db.write() as session:
        schedule_job(session, runtime, "test.flaky", run_at=later, key="delayed")
        await commit(session)
    job_id = await only_job(runtime)
    await runtime.jobs.drain()
    assert RUNS["delayed"] == 0
    waiting = await row(runtime, job_id)
    assert waiting is not None and as_utc(waiting.next_attempt_at) == later
    assert await runtime.jobs.sweep() == 0
    await time_passes(runtime, job_id)
    assert await runtime.jobs.sweep() == 1
    await runtime.jobs.drain()
    assert RUNS["delayed"] == 1
    assert await row(runtime, job_id) is None
