"""The processing pool: work runs in worker processes, limited in memory and in time;
a stuck or crashing worker is replaced and the pool goes on."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from roost.media.processing import RejectedMedia
from roost.media.runner import ProcessingCrashed, ProcessingPool, ProcessingTimeout


async def ended(pid: int) -> bool:
    """Whether process ``pid`` ends (or is a zombie) within a few seconds: a SIGKILL is
    delivered a moment after it is sent."""
    status = f"/proc/{pid}/status"
    deadline = asyncio.get_running_loop().time() + 10
    while asyncio.get_running_loop().time() < deadline:
        try:
            state = Path(status).read_text().split("State:", 1)[1].split()[0]  # noqa: ASYNC240
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in {"Z", "X"}:
            return True
        await asyncio.sleep(0.02)
    return False


@pytest.fixture
async def pool() -> AsyncIterator[ProcessingPool]:
    pool = ProcessingPool(workers=1, memory_bytes=768 * 1024 * 1024, timeout=1.0)
    yield pool
    await pool.close()


async def test_work_runs_in_another_process(pool: ProcessingPool) -> None:
    assert await pool.run(os.getpid) != os.getpid()
    assert await pool.run(pow, 2, 10) == 1024


async def test_a_stuck_job_is_killed_and_the_pool_recovers(pool: ProcessingPool) -> None:
    worker = await pool.run(os.getpid)
    with pytest.raises(ProcessingTimeout, match="longer than 1 seconds"):
        await pool.run(time.sleep, 60)  # a decoder that never returns
    assert pool.replaced == 1
    assert await ended(worker)  # the stuck worker is gone, not left running
    assert await pool.run(pow, 3, 3) == 27  # a fresh worker took over


async def test_memory_is_limited_per_worker(pool: ProcessingPool) -> None:
    with pytest.raises(RejectedMedia, match="too much memory"):
        await pool.run(bytearray, 2 * 1024 * 1024 * 1024)  # 2 GiB, over the 768 MiB cap
    assert pool.replaced == 0  # a refused allocation, not a dead worker
    assert await pool.run(len, bytearray(10)) == 10


async def test_a_worker_that_dies_is_replaced(pool: ProcessingPool) -> None:
    with pytest.raises(ProcessingCrashed):
        await pool.run(os._exit, 3)  # a decoder crashing the process, on every try
    assert pool.replaced == 2  # tried twice: once could have been a neighbour's timeout
    assert await pool.run(pow, 2, 2) == 4
