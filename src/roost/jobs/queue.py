"""The job queue of the scaled mode: outbox job ids on a Redis stream, run by workers.

A kick puts the job's id on the stream ``<prefix>{jobs}`` (taskiq, with Roost's own
``RoostStreamBroker``). Every ``roost worker`` (and ``roost serve --run-jobs``)
reads it through the consumer group ``<prefix>workers``, so each message goes to
one consumer, which acknowledges (and deletes) it only after the job has run.

What makes this safe with many processes:

- The outbox row is the source of truth. A message is only a job id; a message
  whose row is gone is done. Losing a message (a worker killed after reading
  it, the stream flushed) loses nothing: the sweep re-queues due rows.
- A job runs at most once at a time: the runner holds a Redis lock per job id
  (``<prefix>{jobs}:running:<id>``), renewed while the handler runs. A second
  message for the same id finds the lock taken and is dropped; if the holder
  dies, the lock expires after ``lease`` seconds and the sweep re-drives the row.
  A holder that finds its lock lost (paused longer than the lease) cancels its
  handler. Handlers are idempotent, so the rare overlap is harmless.
- The sweep moves each due row's ``next_attempt_at`` forward in the same
  statement that selects it, so many sweeping processes queue a row once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import timedelta
from typing import Any

from redis.exceptions import LockError, RedisClusterException, ResponseError
from sqlalchemy import select, update
from taskiq import AckableMessage, AsyncBroker, BrokerMessage
from taskiq.acks import AcknowledgeType
from taskiq.receiver import Receiver

from roost.core.breaker import REDIS_DOWN
from roost.core.db import utcnow
from roost.core.redis import Client, close_redis, connect_redis
from roost.jobs.metrics import REDRIVES
from roost.jobs.models import OutboxJob
from roost.jobs.runner import MAX_ATTEMPTS, SWEEP_BATCH, Host, JobRunner

log = logging.getLogger(__name__)

TASK_NAME = "roost.run_outbox_job"
DEFAULT_CONCURRENCY = 8
MIN_LEASE_SECONDS = 5.0
# How long one read of the stream waits for a job; a stop waits at most this.
BLOCK_SECONDS = 2.0
DRAIN_TIMEOUT_SECONDS = 60.0
_KICKS_REMEMBERED = 10_000
# Redis out of reach (REDIS_DOWN: a connection lost, a timeout, on a cluster no node
# answering), or a cluster client giving up otherwise (a slot no node serves while a
# master's replica is promoted): the stream's reader waits and reads again.
UNREACHABLE: tuple[type[Exception], ...] = (*REDIS_DOWN, RedisClusterException)


def stream_key(prefix: str) -> str:
    """The stream; its running locks (``lock_key``) share its hash tag, so on a Redis
    Cluster the whole queue is on one slot, one master (and its replica)."""
    return f"{prefix}{{jobs}}"


def lock_key(prefix: str, job_id: int) -> str:
    return f"{stream_key(prefix)}:running:{job_id}"


def group_name(prefix: str) -> str:
    return f"{prefix}workers"


class RoostStreamBroker(AsyncBroker):
    """A taskiq broker on a Redis stream read through a consumer group, on the
    runtime's Redis client (one Redis or a Redis Cluster: the stream is one key, so one
    slot). A message is acknowledged (and deleted) only after its job ran; one a dead
    consumer left unacknowledged is re-claimed with XAUTOCLAIM (atomic: no lock).

    Roost's own rather than taskiq-redis's brokers: their stream broker opens a pool to
    one Redis from a URL, their cluster broker re-claims nothing, and both stop their
    reader by cancelling its blocked read, which redis-py 8 sometimes lost (the reader
    then blocked again, forever, and so did stopping). This loop looks at ``stopping``
    after every read, so a stop takes at most one blocking read (``block``, 2 s). A
    flushed stream or group (NOGROUP) is declared again; the outbox sweep re-queues
    whatever was lost with it, or with a master lost before its replica had it.
    """

    stopping = False

    def __init__(
        self,
        redis: Client,
        *,
        queue_name: str,
        consumer_group_name: str,
        consumer_id: str = "0",
        block_ms: int = 2000,
        count: int = 1,
        idle_timeout_ms: int = 60_000,
        unacknowledged_batch_size: int = 100,
    ) -> None:
        super().__init__()
        self.redis = redis
        self.queue_name = queue_name
        self.consumer_group_name = consumer_group_name
        self.consumer_name = str(uuid.uuid4())
        self.consumer_id = consumer_id
        self.block = block_ms
        self.count = count
        self.idle_timeout = idle_timeout_ms
        self.unacknowledged_batch_size = unacknowledged_batch_size

    async def startup(self) -> None:
        await super().startup()
        await self._declare_consumer_group()

    async def _declare_consumer_group(self) -> None:
        try:
            await self.redis.xgroup_create(
                self.queue_name, self.consumer_group_name, id=self.consumer_id, mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # BUSYGROUP: declared already
                raise

    async def kick(self, message: BrokerMessage) -> None:
        await self.redis.xadd(self.queue_name, {b"data": message.message})

    def _ack_generator(self, id: Any) -> Callable[[], Awaitable[None]]:
        async def ack() -> None:
            async with self.redis.pipeline(transaction=True) as pipe:  # one key, one slot
                pipe.xack(self.queue_name, self.consumer_group_name, id)
                pipe.xdel(self.queue_name, id)
                await pipe.execute()

        return ack

    def _message(self, message_id: Any, fields: dict[bytes, bytes]) -> AckableMessage:
        return AckableMessage(data=fields[b"data"], ack=self._ack_generator(message_id))

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        group, me, redis = self.consumer_group_name, self.consumer_name, self.redis
        while not self.stopping:
            try:
                fresh: Any = await redis.xreadgroup(
                    group, me, {self.queue_name: ">"}, count=self.count, block=self.block
                )
                for _, messages in fresh or []:
                    for message_id, fields in messages:
                        yield self._message(message_id, fields)
                if self.stopping:
                    return
                claimed: Any = await redis.xautoclaim(
                    self.queue_name,
                    group,
                    me,
                    min_idle_time=self.idle_timeout,
                    count=self.unacknowledged_batch_size,
                )
                for message_id, fields in claimed[1]:
                    if fields is not None:  # None: deleted while it was pending
                        yield self._message(message_id, fields)
            except ResponseError as exc:
                # NOGROUP (the stream or its group was flushed, or lost with a master)
                # and friends: the outbox sweep re-queues whatever was lost; declare
                # the group again.
                log.warning("job stream unusable (%s); declaring it again", exc)
                await asyncio.sleep(0.1)
                with contextlib.suppress(*UNREACHABLE, ResponseError):
                    await self._declare_consumer_group()
            except UNREACHABLE as exc:
                log.warning("lost Redis while reading jobs (%s); retrying", exc)
                await asyncio.sleep(1)

    async def forget_consumer(self) -> None:
        """Remove this consumer from the group; its unacknowledged messages, if any,
        are dropped (their outbox rows are re-driven by the sweep)."""
        await self.redis.xgroup_delconsumer(
            self.queue_name, self.consumer_group_name, self.consumer_name
        )


class QueueJobRunner(JobRunner):
    """Kicks queue job ids on Redis; ``consume`` runs queued jobs in this process."""

    def __init__(self, runtime: Host) -> None:
        super().__init__(runtime)
        if runtime.redis is None:
            raise RuntimeError("the job queue needs ROOST_REDIS_URL")
        settings = runtime.settings
        self.redis: Client = runtime.redis
        self.prefix = settings.redis_prefix
        # How long a job stays claimed after its worker stops renewing the claim.
        self.lease = max(MIN_LEASE_SECONDS, settings.sweep_after_seconds)
        self._sweep_after = timedelta(seconds=settings.sweep_after_seconds)
        # The stream has a client of its own: its reads block on purpose, so they get
        # longer to answer and no breaker (a slow one says nothing of the requests' Redis).
        stream_client = connect_redis(settings, waits=BLOCK_SECONDS)
        assert stream_client is not None
        self.broker = RoostStreamBroker(
            stream_client,
            queue_name=stream_key(self.prefix),
            consumer_group_name=group_name(self.prefix),
            consumer_id="0",  # a group declared anew reads what is already queued
            count=1,  # take one job at a time, so idle workers get the rest
            idle_timeout_ms=int(self.lease * 2000),
            block_ms=int(BLOCK_SECONDS * 1000),
        )
        self._task = self.broker.register_task(_task_running(self), task_name=TASK_NAME)
        self._kicked: dict[int, None] = {}
        self._outgoing: deque[int] = deque()
        self._sending = False
        self._started = False
        self._finish: asyncio.Event | None = None
        self._consumer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.broker.startup()
        self._started = True
        if self.runtime.settings.serve_runs_jobs:
            self.consume()

    # -- producing ---------------------------------------------------------------

    def kick(self, job_id: int) -> None:
        """Queue the job; jobs kicked by one process reach the stream in kick order."""
        self._remember(job_id)
        self._outgoing.append(job_id)
        if not self._sending:
            self._sending = True
            self._spawn(self._send())

    async def _send(self) -> None:
        unqueued: list[int] = []
        try:
            while self._outgoing:
                job_id = self._outgoing.popleft()
                if not await self._enqueue(job_id):
                    unqueued.append(job_id)
        finally:
            self._sending = False
        await self._due_now(unqueued)

    def _remember(self, job_id: int) -> None:
        self._kicked[job_id] = None
        if len(self._kicked) > _KICKS_REMEMBERED:
            del self._kicked[next(iter(self._kicked))]

    async def _enqueue(self, job_id: int) -> bool:
        try:
            await self._task.kiq(job_id)
        except Exception as exc:
            cause = exc.__cause__ or exc  # taskiq wraps what the broker raised
            if isinstance(cause, REDIS_DOWN):
                log.warning("could not queue job %s (Redis unreachable: %s)", job_id, cause)
            else:
                log.exception("could not queue job %s; the outbox sweep will re-drive it", job_id)
            return False
        return True

    async def _due_now(self, job_ids: list[int]) -> None:
        """Jobs that could not be queued are due at once: the first sweep that reaches
        Redis again queues them, not ``sweep_after_seconds`` after their commit."""
        if not job_ids:
            return
        try:
            async with self.runtime.db.write() as session:
                await session.execute(
                    update(OutboxJob)
                    .where(OutboxJob.id.in_(job_ids))
                    .values(next_attempt_at=utcnow())
                )
                await session.commit()
        except Exception:
            log.exception("could not mark %s unqueued jobs due", len(job_ids))

    async def sweep(self) -> int:
        """Queue every due row once, however many processes sweep."""
        now = utcnow()
        due = (
            select(OutboxJob.id)
            .where(OutboxJob.next_attempt_at <= now, OutboxJob.attempts < MAX_ATTEMPTS)
            .order_by(OutboxJob.id)
            .limit(SWEEP_BATCH)
        )
        async with self.runtime.db.write() as session:
            taken = await session.scalars(
                update(OutboxJob)
                .where(OutboxJob.id.in_(due.scalar_subquery()), OutboxJob.next_attempt_at <= now)
                .values(next_attempt_at=now + self._sweep_after)
                .returning(OutboxJob.id)
            )
            job_ids = sorted(taken.all())
            await session.commit()
        unqueued = []
        for job_id in job_ids:
            self._remember(job_id)
            if not await self._enqueue(job_id):
                unqueued.append(job_id)
        await self._due_now(unqueued)
        REDRIVES.inc(len(job_ids))
        return len(job_ids)

    # -- consuming ---------------------------------------------------------------

    def consume(self, concurrency: int = DEFAULT_CONCURRENCY) -> asyncio.Task[None]:
        """Run queued jobs in this process, ``concurrency`` at a time, until ``stop``."""
        if self._consumer is not None:
            return self._consumer
        receiver = Receiver(
            self.broker,
            max_async_tasks=concurrency,
            ack_type=AcknowledgeType.WHEN_EXECUTED,
            run_startup=False,
        )
        self._finish = asyncio.Event()
        self._consumer = asyncio.get_running_loop().create_task(receiver.listen(self._finish))
        return self._consumer

    async def execute(self, job_id: int) -> None:
        """The queued task: run the job unless another process is running it."""
        if job_id in self._running:
            return
        claim = self.redis.lock(
            lock_key(self.prefix, job_id),
            timeout=self.lease,
            blocking=False,
            thread_local=False,
        )
        if not await claim.acquire():
            return  # running elsewhere: that run, or the sweep after it, finishes it
        self._begin(job_id)
        work = asyncio.get_running_loop().create_task(self.run_job(job_id))
        try:
            while True:
                done, _ = await asyncio.wait({work}, timeout=self.lease / 3)
                if done:
                    break
                try:
                    await claim.reacquire()
                except LockError:
                    log.error("lost the claim on job %s; leaving it to its new holder", job_id)
                    work.cancel()
                    break
            (outcome,) = await asyncio.gather(work, return_exceptions=True)
            if isinstance(outcome, Exception):  # the database failed us: the sweep retries
                log.error("job %s could not run: %r", job_id, outcome)
        finally:
            if not work.done():  # we were cancelled (shutdown): stop the handler too
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
            self._end(job_id)
            with contextlib.suppress(LockError):
                await claim.release()

    # -- waiting and stopping ----------------------------------------------------

    async def drain(self) -> None:
        """Wait until every job kicked so far has run (its row is gone) or failed once
        (a retry is scheduled). Needs a consumer: this process or a worker."""
        await super().drain()  # every kick is on the queue
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DRAIN_TIMEOUT_SECONDS
        while self._kicked:
            waiting = list(self._kicked)
            async with self.runtime.db.read() as session:
                pending = set(
                    await session.scalars(
                        select(OutboxJob.id).where(
                            OutboxJob.id.in_(waiting), OutboxJob.last_error.is_(None)
                        )
                    )
                )
            for job_id in waiting:
                if job_id not in pending:
                    self._kicked.pop(job_id, None)
            if not self._kicked:
                return
            if loop.time() > deadline:
                raise TimeoutError(f"queued jobs did not run: {sorted(self._kicked)[:10]}")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        await self._stop_sweeping()
        if self._consumer is not None and self._finish is not None:
            self.broker.stopping = True
            self._finish.set()
            await asyncio.gather(self._consumer, return_exceptions=True)
            with contextlib.suppress(*UNREACHABLE, ResponseError):
                await self.broker.forget_consumer()
            self._consumer = None
        await JobRunner.drain(self)  # queue what was kicked before stopping
        if self._started:
            await self.broker.shutdown()
            self._started = False
        await close_redis(self.broker.redis)


def _task_running(runner: QueueJobRunner) -> Callable[[int], Awaitable[None]]:
    """The taskiq task of one runner (taskiq wants a plain function, not a method)."""

    async def run_outbox_job(job_id: int) -> None:
        await runner.execute(job_id)

    return run_outbox_job
