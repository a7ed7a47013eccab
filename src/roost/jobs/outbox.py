"""Queue a job in the same transaction as the data it is about."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import after_commit, utcnow
from roost.core.ids import new_id
from roost.jobs.models import OutboxJob
from roost.jobs.runner import Host


def schedule_job(
    session: AsyncSession,
    runtime: Host,
    kind: str,
    *,
    not_before: datetime | None = None,
    **payload: Any,
) -> None:
    """Write the job's outbox row now; start it once the transaction commits.

    If the process dies between commit and run, the sweep finds the row once
    ``sweep_after_seconds`` have passed and runs it then. With ``not_before`` the job
    is not started at commit: the sweep starts it once that moment has come.
    """
    job_id = new_id()
    if not_before is not None:
        session.add(OutboxJob(id=job_id, kind=kind, payload=payload, next_attempt_at=not_before))
        return
    delay = timedelta(seconds=runtime.settings.sweep_after_seconds)
    session.add(OutboxJob(id=job_id, kind=kind, payload=payload, next_attempt_at=utcnow() + delay))

    async def kick() -> None:
        runtime.jobs.kick(job_id)

    after_commit(session, kick)
