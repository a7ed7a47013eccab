"""The processing pool: decoding and encoding uploads in worker processes, never on the
event loop, each limited in memory and in time.

A ``concurrent.futures.ProcessPoolExecutor`` whose workers are forked from a fork server
(a fresh interpreter that has imported the processing code once, so a worker starts in
milliseconds and inherits none of the event loop's threads). Each worker caps its own
address space (``RLIMIT_AS``) in the pool's initializer: a picture that needs more memory
fails there with ``MemoryError`` instead of taking the host's memory. A job that runs
longer than the timeout is abandoned and the pool's workers are killed (a stuck decoder
cannot be interrupted any other way); the next job starts a fresh pool. A job that was
running beside it on the killed pool is tried once more on the new one.

At most ``workers`` jobs are submitted at once (a semaphore), so a job's time starts when
a worker takes it, not while it waits in the queue. The pool starts on its first job and
is shut down by ``Runtime.stop``. The API processes (``POST /api/v1/media``, small v2
uploads) and the workers (the ``process_media`` job) each own one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import resource
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from roost.media.processing import RejectedMedia

log = logging.getLogger(__name__)

T = TypeVar("T")
# Imported once by the fork server, so every worker forked from it starts warm.
PRELOAD = ["roost.media.pipeline"]
# Workers are replaced after this many jobs, so memory a decoder fragmented is returned.
JOBS_PER_WORKER = 200


class ProcessingTimeout(RejectedMedia):
    """The file took longer than the pool's timeout; its worker was killed."""


class ProcessingCrashed(RejectedMedia):
    """The worker died processing the file (twice): a decoder crashed on it."""


def limit_memory(max_bytes: int) -> None:
    """The pool's initializer: cap this worker's address space."""
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


class ProcessingPool:
    def __init__(self, *, workers: int, memory_bytes: int, timeout: float) -> None:
        self.workers = max(1, workers)
        self.memory_bytes = memory_bytes
        self.timeout = timeout
        self._executor: ProcessPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._closed = False
        self.replaced = 0  # pools killed after a timeout or a crash (for tests and logs)

    def _pool(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("the media processing pool is closed")
        if self._executor is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=limit_memory,
                initargs=(self.memory_bytes,),
                max_tasks_per_child=JOBS_PER_WORKER,
            )
        return self._executor

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker (both must pickle: a module-level function).

        Raises what the function raised (``RejectedMedia`` for a refused file),
        ``RejectedMedia`` for a file that needs more memory than a worker may take,
        ``ProcessingTimeout`` past the timeout, ``ProcessingCrashed`` if the worker dies
        on it twice."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.workers)
        async with self._slots:
            for attempt in (1, 2):
                executor = self._pool()
                try:
                    future = executor.submit(function, *args)
                    return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
                except TimeoutError:
                    self._replace(executor, "a job ran past %.0f s", self.timeout)
                    raise ProcessingTimeout(
                        f"The file took longer than {self.timeout:g} seconds to process"
                    ) from None
                except BrokenProcessPool:
                    # Killed under us (another job's timeout) or a crash in a decoder:
                    # once more on a fresh pool tells the two apart.
                    self._replace(executor, "a worker died (attempt %d)", attempt)
                except MemoryError:
                    raise RejectedMedia("The file needs too much memory to process") from None
            raise ProcessingCrashed("The file could not be processed")

    def _replace(self, executor: ProcessPoolExecutor, why: str, *args: object) -> None:
        """Kill ``executor``'s workers and forget it; the next job starts a new pool."""
        if self._executor is not executor:
            return  # another job replaced it already
        log.warning("media processing pool replaced: " + why, *args)
        self._executor = None
        self.replaced += 1
        _kill(executor)

    async def close(self) -> None:
        """Stop the workers (``Runtime.stop``, once requests and jobs have finished)."""
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            _kill(executor)


def _kill(executor: ProcessPoolExecutor) -> None:
    """Stop the pool now, without waiting for a stuck worker: SIGKILL each worker.

    ``ProcessPoolExecutor`` has no public way to do this before Python 3.14
    (``kill_workers``); its ``_processes`` map (pid -> Process) is what that uses."""
    killer = getattr(executor, "kill_workers", None)
    if killer is not None:
        killer()
    else:
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            with contextlib.suppress(Exception):
                process.kill()
    executor.shutdown(wait=False, cancel_futures=True)
