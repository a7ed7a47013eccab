"""Runs outbox jobs: at once after the commit that wrote them, and again from the
sweep if a run failed or the process died before it finished.

Handlers are idempotent, so running one twice (kick and sweep racing across
processes, a retry after a crash) is harmless: delivery is at-least-once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from roost.core.db import utcnow
from roost.jobs.models import OutboxJob

if TYPE_CHECKING:
    from roost.core.runtime import Runtime

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 12


def job(kind: str) -> Callable[[Handler], Handler]:
    """Register ``handler(runtime, **payload)`` as the code for jobs of ``kind``."""

    def register(handler: Handler) -> Handler:
        HANDLERS[kind] = handler
        return handler

    return register


class JobRunner:
    def __init__(self, runtime: Runtime, *, concurrency: int = 4) -> None:
        self.runtime = runtime
        self._slots = asyncio.Semaphore(concurrency)
        self._running: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def kick(self, job_id: int) -> None:
        if job_id in self._running:
            return
        self._running.add(job_id)
        task = asyncio.get_running_loop().create_task(self._run(job_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, job_id: int) -> None:
        try:
            async with self._slots:
                await self.run_job(job_id)
        finally:
            self._running.discard(job_id)

    async def run_job(self, job_id: int) -> None:
        db = self.runtime.db
        async with db.read() as session:
            row = await session.get(OutboxJob, job_id)
        if row is None:  # already done, by us or another process
            return
        try:
            await HANDLERS[row.kind](self.runtime, **row.payload)
        except Exception as exc:
            log.exception("job %s (%s) failed", job_id, row.kind)
            backoff = timedelta(seconds=min(2 ** (row.attempts + 1), 600))
            async with db.write() as session:
                await session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id == job_id)
                    .values(
                        attempts=OutboxJob.attempts + 1,
                        next_attempt_at=utcnow() + backoff,
                        last_error=f"{type(exc).__name__}: {exc}"[:2000],
                    )
                )
                await session.commit()
            return
        async with db.write() as session:
            await session.execute(delete(OutboxJob).where(OutboxJob.id == job_id))
            await session.commit()

    async def sweep(self) -> int:
        """Re-drive every job that is due: failed earlier, or orphaned by a crash."""
        async with self.runtime.db.read() as session:
            due = (
                await session.scalars(
                    select(OutboxJob.id)
                    .where(OutboxJob.next_attempt_at <= utcnow())
                    .where(OutboxJob.attempts < MAX_ATTEMPTS)
                    .order_by(OutboxJob.id)
                    .limit(500)
                )
            ).all()
        for job_id in due:
            self.kick(job_id)
        return len(due)

    def start_sweeping(self, every: float = 5.0) -> None:
        async def loop() -> None:
            while True:
                try:
                    await self.sweep()
                except Exception:
                    log.exception("outbox sweep failed")
                await asyncio.sleep(every)

        self._sweeper = asyncio.get_running_loop().create_task(loop())

    async def drain(self) -> None:
        """Wait until every job kicked so far (and any it kicked) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        if self._sweeper:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        await self.drain()
