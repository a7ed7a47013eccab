"""Queue a job in the same transaction as the data it is about."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import after_commit, utcnow
from roost.core.ids import new_id
from roost.core.request_ids import current_request_id
from roost.jobs.models import OutboxJob
from roost.jobs.runner import REQUEST_ID, Host


def schedule_job(
    session: AsyncSession,
    runtime: Host,
    kind: str,
    *,
    run_at: datetime | None = None,
    **payload: Any,
) -> None:
    """Write the job's outbox row now; start it once the transaction commits.

    If the process dies between commit and run, the sweep finds the row once
    ``sweep_after_seconds`` have passed and runs it then.

    With ``run_at`` the job waits instead: nothing starts it after commit, and the
    sweep (of any process, after any restart) runs it once ``run_at`` has passed.

    The payload also keeps the id of the request this runs for (core/request_ids.py),
    so that the job's log lines name it wherever it runs.
    """
    if REQUEST_ID in payload:
        raise ValueError(f"{REQUEST_ID!r} is kept by the runner, not a job's argument")
    request_id = current_request_id()
    if request_id is not None:
        payload[REQUEST_ID] = request_id
    job_id = new_id()
    if run_at is not None:
        session.add(OutboxJob(id=job_id, kind=kind, payload=payload, next_attempt_at=run_at))
        return
    delay = timedelta(seconds=runtime.settings.sweep_after_seconds)
    session.add(OutboxJob(id=job_id, kind=kind, payload=payload, next_attempt_at=utcnow() + delay))

    async def kick() -> None:
        runtime.jobs.kick(job_id)

    after_commit(session, kick)


async def job_waiting(session: AsyncSession, kind: str, *, after: datetime | None = None) -> bool:
    """Whether a job of ``kind`` is in the outbox (due later than ``after``, if given):
    how a periodic job that schedules its own next run avoids scheduling two."""
    query = exists().where(OutboxJob.kind == kind)
    if after is not None:
        query = query.where(OutboxJob.next_attempt_at > after)
    return bool(await session.scalar(select(query)))
