"""When the media cleanup runs: an hour after it is needed (or the unattached lifetime,
if shorter), and again every hour while uploads no post has taken remain.

An upload schedules it, in the upload's transaction, unless a run already waits; each run
schedules the next only while unattached uploads remain. So an instance nobody uploads
to has no cleanup job at all, and many processes never make a crowd of them: a run that
finds the next one already waiting schedules none."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import utcnow
from roost.core.settings import Settings
from roost.jobs.outbox import job_waiting, schedule_job
from roost.jobs.runner import Host

CLEANUP_JOB = "clean_up_media"
CLEANUP_EVERY = 3600.0  # seconds


def cleanup_every(settings: Settings) -> timedelta:
    return timedelta(seconds=min(CLEANUP_EVERY, settings.media_unattached_seconds))


async def ensure_cleanup(
    session: AsyncSession, host: Host, *, unless_after: timedelta | None = None
) -> None:
    """In ``session``'s transaction: schedule the next cleanup unless one waits (due
    later than ``unless_after`` from now, if given: a run being made holds its own row
    until it returns)."""
    after = utcnow() + unless_after if unless_after is not None else None
    if not await job_waiting(session, CLEANUP_JOB, after=after):
        schedule_job(session, host, CLEANUP_JOB, run_at=utcnow() + cleanup_every(host.settings))
