"""``roost worker``: a process that runs queued jobs and sweeps the outbox.

Thin on purpose: it builds a Runtime, consumes the job stream, and stops cleanly
on SIGTERM or SIGINT (jobs in progress finish; a SIGKILL loses nothing either,
since the outbox sweep re-drives whatever did not finish).
"""

from __future__ import annotations

import asyncio
import logging
import signal

import roost.conversations.updates  # noqa: F401  (registers its job kinds)
import roost.follows.jobs  # noqa: F401  (registers its job kinds)
import roost.media.attach  # noqa: F401  (registers its job kinds)
import roost.polls.service  # noqa: F401  (registers its job kinds)
import roost.scheduled.service  # noqa: F401  (registers its job kinds)
import roost.timelines.fanout  # noqa: F401  (registers its job kinds)
from roost.core.settings import Settings
from roost.jobs.queue import QueueJobRunner
from roost.runtime import Runtime

log = logging.getLogger(__name__)


async def run_worker(settings: Settings, *, concurrency: int) -> int:
    """Run jobs until told to stop; returns the process exit code."""
    runtime = Runtime(settings.model_copy(update={"serve_runs_jobs": False}))
    runner = runtime.jobs
    if not isinstance(runner, QueueJobRunner):
        raise RuntimeError("roost worker needs ROOST_REDIS_URL")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runtime.start(sweep=True)
    try:
        consumer = runner.consume(concurrency)
        log.info("roost worker on node %s: running jobs, %d at a time", runtime.node, concurrency)
        stopping = loop.create_task(stop.wait())
        await asyncio.wait({consumer, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if consumer.done():
            log.error("the job consumer stopped: %r", consumer.exception())
            return 1
        log.info("roost worker stopping: finishing the jobs in progress")
        return 0
    finally:
        await runtime.stop()
