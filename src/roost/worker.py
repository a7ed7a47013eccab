"""``roost worker``: a process that runs queued jobs and sweeps the outbox.

Thin on purpose: it builds a Runtime, consumes the job stream (and renders again the
kept home pages its fan-outs changed: timelines/page_refresh.py), and stops cleanly
on SIGTERM or SIGINT (jobs in progress finish; a SIGKILL loses nothing either,
since the outbox sweep re-drives whatever did not finish). With ``--metrics-port`` it
also serves ``/health``, ``/health/ready`` and ``/metrics`` (observability/server.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

import roost.admin.notices  # noqa: F401  (registers its job kinds)
import roost.cards.service  # noqa: F401  (registers its job kinds)
import roost.conversations.updates  # noqa: F401  (registers its job kinds)
import roost.follows.jobs  # noqa: F401  (registers its job kinds)
import roost.lifecycle.jobs  # noqa: F401  (registers its job kinds)
import roost.mail.jobs  # noqa: F401  (registers its job kinds)
import roost.media.attach  # noqa: F401  (registers its job kinds)
import roost.media.jobs  # noqa: F401  (registers its job kinds)
import roost.moderation.effects  # noqa: F401  (registers its job kinds)
import roost.polls.service  # noqa: F401  (registers its job kinds)
import roost.scheduled.service  # noqa: F401  (registers its job kinds)
import roost.timelines.fanout  # noqa: F401  (registers its job kinds)
from roost.core.heap import freeze_startup_heap
from roost.core.settings import Settings
from roost.jobs.queue import QueueJobRunner
from roost.observability.server import serve_probes
from roost.runtime import Runtime
from roost.timelines.page_refresh import refresh_changed_pages

log = logging.getLogger(__name__)


async def run_worker(
    settings: Settings,
    *,
    concurrency: int,
    metrics_port: int | None = None,
    metrics_host: str = "127.0.0.1",
) -> int:
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
    freeze_startup_heap()
    refreshing = None
    if runtime.page_cache is not None:
        refreshing = loop.create_task(refresh_changed_pages(runtime, runtime.page_cache))
    try:
        consumer = runner.consume(concurrency)
        log.info("roost worker on node %s: running jobs, %d at a time", runtime.node, concurrency)
        stopping = loop.create_task(stop.wait())
        watched: set[asyncio.Task[Any]] = {consumer, stopping}
        if metrics_port is not None:
            # After our signal handlers: uvicorn hands a signal back to them (see there).
            watched.add(serve_probes(runtime, host=metrics_host, port=metrics_port))
            log.info("metrics at http://%s:%d/metrics", metrics_host, metrics_port)
        while not stop.is_set():
            done, watched = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopping}:
                # The consumer never ends by itself; the probes' server ends when told to
                # stop (stopping follows) or when it could not start.
                if task is consumer or task.exception() is not None:
                    log.error("roost worker cannot go on: %r", task.exception())
                    return 1
        log.info("roost worker stopping: finishing the jobs in progress")
        return 0
    finally:
        if refreshing is not None:
            refreshing.cancel()
        await runtime.stop()
