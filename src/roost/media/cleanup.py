"""When the media cleanup runs: every hour, or the unattached lifetime if shorter, and
who schedules its first run (every process that sweeps, at start, unless one waits).

Apart from ``jobs.py`` (which runs it) so that the runtime can start it without
importing the verbs: this module knows the job host only as ``jobs.runner.Host``."""

from __future__ import annotations

from datetime import timedelta

from roost.core.db import commit, utcnow
from roost.core.settings import Settings
from roost.jobs.outbox import job_waiting, schedule_job
from roost.jobs.runner import Host

CLEANUP_JOB = "clean_up_media"
CLEANUP_EVERY = 3600.0  # seconds


def cleanup_every(settings: Settings) -> timedelta:
    return timedelta(seconds=min(CLEANUP_EVERY, settings.media_unattached_seconds))


async def schedule_cleanup(host: Host, *, unless_after: timedelta | None = None) -> None:
    """Schedule the next cleanup unless one waits (due later than ``unless_after`` from
    now, if given: a run being made holds its own row until it returns)."""
    after = utcnow() + unless_after if unless_after is not None else None
    async with host.db.write() as session:
        if not await job_waiting(session, CLEANUP_JOB, after=after):
            run_at = utcnow() + cleanup_every(host.settings)
            schedule_job(session, host, CLEANUP_JOB, run_at=run_at)
            await commit(session)


async def start_media_cleanup(host: Host) -> None:
    """At start: schedule the periodic cleanup unless a run of it already waits."""
    await schedule_cleanup(host)
