"""Runs outbox jobs: at once after the commit that wrote them, and again from the
sweep if a run failed or the process died before it finished.

Two runners share one interface (``kick``, ``sweep``, ``drain``, ``stop``,
``start_sweeping``) so services never know which one they talk to:

- ``JobRunner`` (embedded, no Redis): a kick runs the job in this process.
- ``QueueJobRunner`` (``ROOST_REDIS_URL`` set, see jobs/queue.py): a kick puts
  the job id on a Redis stream and ``roost worker`` processes run it.

Either way the outbox row is the source of truth: a job is done when its row is
gone. Handlers are idempotent, so running one twice (kick and sweep racing
across processes, a retry after a crash) is harmless: delivery is at-least-once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, update

from roost.core.db import Database, utcnow
from roost.core.redis import Client
from roost.core.request_ids import running_for
from roost.core.settings import Settings
from roost.jobs.metrics import JOB_RETRIES, JOB_RUNS, JOB_SECONDS, JOBS_DEAD, REDRIVES
from roost.jobs.models import OutboxJob

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 12
MAX_BACKOFF_SECONDS = 600
SWEEP_BATCH = 500
# The payload key of the request that queued a job (jobs/outbox.py); not an argument.
REQUEST_ID = "request_id"


class Host(Protocol):
    """What runs jobs: the process's runtime, as far as the runners need it. Handlers
    receive the host as it is (``handler(runtime, **payload)``); the composition root
    registers them (``job``) by importing their modules."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def redis(self) -> Client | None: ...

    @property
    def jobs(self) -> JobRunner: ...


def job(kind: str) -> Callable[[Handler], Handler]:
    """Register ``handler(runtime, **payload)`` as the code for jobs of ``kind``."""

    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


def backoff(attempts: int) -> timedelta:
    """How long to wait before retrying a job that has now failed ``attempts`` times."""
    return timedelta(seconds=min(2**attempts, MAX_BACKOFF_SECONDS))


class JobRunner:
    """Runs every job in this process (the embedded mode)."""

    def __init__(self, runtime: Host, *, concurrency: int = 4) -> None:
        self.runtime = runtime
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def idle(self) -> None:
        """Until no job is running in this process."""
        await self._idle.wait()

    def _begin(self, job_id: int) -> None:
        self._running.add(job_id)
        self._idle.clear()

    def _end(self, job_id: int) -> None:
        self._running.discard(job_id)
        if not self._running:
            self._idle.set()

    async def start(self) -> None:
        """Nothing to open in-process; the queue runner connects its broker here."""

    def kick(self, job_id: int) -> None:
        if job_id in self._running:
            return
        self._begin(job_id)
        self._spawn(self._run(job_id))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_id: int) -> None:
        try:
            async with self._slots:
                await self.run_job(job_id)
        finally:
            self._end(job_id)

    async def run_job(self, job_id: int) -> None:
        """Run one job by id: delete its row on success, schedule a retry on failure.

        A job without a row is done (by us or another process) and is skipped. The job
        runs as part of the request that queued it: its log lines, and the jobs it
        queues in turn, carry that request's id.
        """
        db = self.runtime.db
        async with db.read() as session:
            row = await session.get(OutboxJob, job_id)
        if row is None:
            return
        arguments = dict(row.payload)
        request_id = arguments.pop(REQUEST_ID, None)
        with running_for(request_id if isinstance(request_id, str) else None):
            await self._run_row(row, arguments)

    async def _run_row(self, row: OutboxJob, arguments: dict[str, Any]) -> None:
        db = self.runtime.db
        if row.attempts:
            JOB_RETRIES.labels(row.kind).inc()
        start = time.perf_counter()
        try:
            await HANDLERS[row.kind](self.runtime, **arguments)
        except Exception as exc:
            JOB_RUNS.labels(row.kind, "failed").inc()
            if row.attempts + 1 >= MAX_ATTEMPTS:
                JOBS_DEAD.labels(row.kind).inc()
            log.exception("job %s (%s) failed", row.id, row.kind)
            async with db.write() as session:
                await session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id == row.id)
                    .values(
                        attempts=OutboxJob.attempts + 1,
                        next_attempt_at=utcnow() + backoff(row.attempts + 1),
                        last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    )
                )
                await session.commit()
            return
        finally:
            JOB_SECONDS.labels(row.kind).observe(time.perf_counter() - start)
        async with db.write() as session:
            await session.execute(delete(OutboxJob).where(OutboxJob.id == row.id))
            await session.commit()
        JOB_RUNS.labels(row.kind, "done").inc()
        log.info("job %s (%s) done in %.3f s", row.id, row.kind, time.perf_counter() - start)

    async def sweep(self) -> int:
        """Re-drive every job that is due: failed earlier, or orphaned by a crash."""
        async with self.runtime.db.read() as session:
            due = (
                await session.scalars(
                    select(OutboxJob.id)
                    .where(OutboxJob.next_attempt_at <= utcnow())
                    .where(OutboxJob.attempts < MAX_ATTEMPTS)
                    .order_by(OutboxJob.id)
                    .limit(SWEEP_BATCH)
                )
            ).all()
        for job_id in due:
            self.kick(job_id)
        REDRIVES.inc(len(due))
        return len(due)

    def start_sweeping(self, every: float | None = None) -> None:
        """Sweep now and then forever: every 5 s, or more often when rows are re-driven
        sooner than that (``sweep_after_seconds``)."""
        if every is None:
            every = min(5.0, max(0.2, self.runtime.settings.sweep_after_seconds / 2))
        period = every

        async def loop() -> None:
            while True:
                try:
                    await self.sweep()
                except Exception:
                    log.exception("outbox sweep failed")
                await asyncio.sleep(period)

        self._sweeper = asyncio.get_running_loop().create_task(loop())

    async def drain(self) -> None:
        """Wait until every job kicked so far (and any it kicked) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _stop_sweeping(self) -> None:
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
            self._sweeper = None

    async def stop(self) -> None:
        await self._stop_sweeping()
        await self.drain()
