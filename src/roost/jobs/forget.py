"""Redis keys a commit could not delete (Redis unreachable), deleted later by a job.

Cache invalidations run after commit (core/versions.py). When Redis cannot be reached
then, the keys go into an outbox row instead, and the sweep runs the job until Redis
takes the deletion (with the runner's backoff): the row is the memory of what is still
to be forgotten, in every process and across restarts.
"""

from __future__ import annotations

from collections.abc import Sequence

from roost.core.db import utcnow
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import Host, job

KIND = "forget_keys"


@job(KIND)
async def forget_keys(runtime: Host, *, keys: list[str]) -> None:
    assert runtime.redis is not None, "only a runtime with Redis queues this job"
    if keys:
        await runtime.redis.delete(*keys)


async def forget_later(runtime: Host, keys: Sequence[str]) -> None:
    """Queue the deletion of ``keys``, due now: the next sweep runs it (a kick would
    need the Redis that just failed)."""
    async with runtime.db.write() as session:
        schedule_job(session, runtime, KIND, run_at=utcnow(), keys=list(keys))
        await session.commit()
