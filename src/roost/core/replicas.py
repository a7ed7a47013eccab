"""Where a read may go: read replicas, how far each has replayed, and how far each
reader must see.

PostgreSQL replicas (``ROOST_DATABASE_REPLICA_URLS``, streaming standbys) replay the
primary's write-ahead log some time after each commit. A read that may lag goes to a
replica that has replayed past its reader's last write, else to the primary (what
GitLab's database load balancer does):

- after each commit of a write session for an account (the request's reader, or an
  account the transaction made: ``core/db.wrote_for``), the primary's
  ``pg_current_wal_lsn()``, read *after* the commit, is kept for the account
  (``Positions``). Read inside the writing transaction it stops short of the commit
  record, and a replica at that position may not show the write yet; read after, a
  replica whose ``pg_last_wal_replay_lsn()`` has reached it shows it (measured).
  Positions live in Redis, since the person's next request may reach another process,
  for ``max_lag + KEEP_BEYOND_BOUND`` s: after that, every replica in use is past it;
- each process polls every replica's replay position, and the primary's, every
  ``POLL_SECONDS`` (``Replicas.watch``). A replica's lag is how long ago the primary
  was first seen past what the replica has replayed; between polls it may have grown by
  the time since the last good one, so that time counts as lag too (a stalled poller, or
  a busy process, ends the replica's use once the bound is reached, not at once);
- a request says who reads once it knows (``ReadScope``, filled by
  ``Database.declare_reader``); its reads go to a replica whose last polled replay
  position is at least the reader's, else to the primary. A replica that may lag more
  than ``max_lag`` seconds, did not answer its last poll (down, or slower than
  ``POLL_TIMEOUT``) or failed to connect for a request is skipped until a poll finds it
  back.

A position is an ``int`` (the LSN ``16/B374D848`` is ``0x16_B374D848``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy import event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from roost.core.redis import Client
from roost.core.scripts import Script

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1
POLL_TIMEOUT = 1.0
# How long a writer's position is kept beyond the lag bound: after the bound, plus the
# first poll of the primary after the commit (at most POLL_SECONDS + POLL_TIMEOUT), every
# usable replica is past it.
KEEP_BEYOND_BOUND = 2.0

# What a server has replayed: a standby's replay position; a server that is no longer
# in recovery (a promoted replica) shows everything it has.
REPLAYED = text(
    "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
    " ELSE pg_current_wal_lsn() END)::text"
)
WRITTEN = text("SELECT pg_current_wal_lsn()::text")

REPLICA_USABLE = Gauge(
    "roost_db_replica_usable",
    "1 while a read replica answers its polls within the lag bound, else 0 (reads that "
    "may lag skip it)",
    ["replica"],
    multiprocess_mode="livemin",
)
REPLICA_LAG = Gauge(
    "roost_db_replica_lag_seconds",
    "How long ago the primary was first seen past what the replica has replayed",
    ["replica"],
    multiprocess_mode="livemax",
)
ROUTED_READS = Counter(
    "roost_db_routed_reads_total",
    "Read sessions that may lag, by where they went: a replica, or the primary (the "
    "request wrote, no replica had replayed its reader's last write, or none is usable)",
    ["to"],
)


def parse_lsn(value: str) -> int:
    high, _, low = value.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass(eq=False)
class Replica:
    name: str
    engine: AsyncEngine  # statements run without BEGIN (autocommit), as on the primary
    replayed: int = -1  # the replay position of its last good poll
    lag: float = float("inf")
    up: bool = False
    seen_at: float = 0.0  # time.monotonic() of its last good poll

    def serves(self, need: int, max_lag: float, now: float) -> bool:
        # What it may lag now: its lag at the last good poll, plus the time since.
        return self.up and self.replayed >= need and self.lag + (now - self.seen_at) <= max_lag

    def mark_down(self) -> None:
        if self.up:
            log.warning("read replica %s is unreachable: its reads go elsewhere", self.name)
        self.up = False
        REPLICA_USABLE.labels(self.name).set(0)


class Replicas:
    """The read replicas and what this process last saw of them; empty (false) without
    any, and then every read goes to the primary."""

    def __init__(self, members: Sequence[Replica], *, primary: AsyncEngine, max_lag: float) -> None:
        self.members = list(members)
        self.primary = primary
        self.max_lag = max_lag
        # The primary's positions as polled, each when it was first seen, rising: from
        # the last one older than ``max_lag`` + 1 s on. And when it last answered a poll.
        self._seen: deque[tuple[float, int]] = deque()
        self._primary_seen_at = float("-inf")
        self._watcher: asyncio.Task[None] | None = None
        for replica in self.members:
            event.listen(replica.engine.sync_engine, "handle_error", _on_error(replica))
            REPLICA_USABLE.labels(replica.name).set(0)  # until a poll finds it

    def __bool__(self) -> bool:
        return bool(self.members)

    def choose(self, need: int) -> Replica | None:
        """A replica that has replayed ``need`` and is usable, if there is one."""
        now = time.monotonic()
        usable = [r for r in self.members if r.serves(need, self.max_lag, now)]
        return random.choice(usable) if usable else None

    async def written(self) -> int:
        """The primary's position now: everything committed so far is at or below it."""
        async with self.primary.connect() as connection:
            return parse_lsn(await connection.scalar(WRITTEN))

    def _saw(self, at: float, position: int) -> None:
        self._primary_seen_at = at
        if self._seen and self._seen[-1][1] >= position:
            return  # it was there already
        self._seen.append((at, position))
        while len(self._seen) > 1 and self._seen[1][0] < at - self.max_lag - 1:
            self._seen.popleft()

    def _lag(self, replayed: int, now: float) -> float:
        if now - self._primary_seen_at > self.max_lag:
            return float("inf")  # the primary has not answered lately: unknown
        for at, position in self._seen:
            if position > replayed:
                return now - at
        return 0.0

    def watch(self) -> None:
        """Poll the replicas from now on (until ``close``); again, it does nothing."""
        if self.members and self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            try:
                await self.poll()
            except Exception:
                log.exception("polling the read replicas failed")
            await asyncio.sleep(POLL_SECONDS)

    async def poll(self) -> None:
        try:
            async with asyncio.timeout(POLL_TIMEOUT):
                self._saw(time.monotonic(), await self.written())
        except Exception as exc:  # the replicas' lag grows until the primary answers
            log.debug("polling the primary's position failed: %r", exc)
        await asyncio.gather(*(self._poll(replica) for replica in self.members))

    async def _poll(self, replica: Replica) -> None:
        try:
            async with asyncio.timeout(POLL_TIMEOUT), replica.engine.connect() as connection:
                replayed = parse_lsn(await connection.scalar(REPLAYED))
        except Exception:
            replica.mark_down()
            return
        now = time.monotonic()
        if not replica.up:
            log.info("read replica %s answers", replica.name)
        replica.up, replica.seen_at, replica.replayed = True, now, replayed
        replica.lag = self._lag(replayed, now)
        REPLICA_LAG.labels(replica.name).set(min(replica.lag, 1e9))
        REPLICA_USABLE.labels(replica.name).set(int(replica.lag <= self.max_lag))

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        for replica in self.members:
            await replica.engine.dispose()


def _on_error(replica: Replica) -> Any:
    def handle(context: ExceptionContext) -> None:
        # A request could not reach it (a lost connection, or none to be had): skip it
        # until a poll finds it back. A failed ping only makes the pool connect anew.
        if not context.is_pre_ping and (context.is_disconnect or context.connection is None):
            replica.mark_down()

    return handle


# KEYS: an account's position key. ARGV: a position (16 hex digits), its lifetime in ms.
# Keeps the higher of the two: two commits may report in either order.
KEEP_HIGHER = """
local held = redis.call('GET', KEYS[1])
if not held or held < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"""


class Positions:
    """Each account's last commit position, for ``ttl`` seconds: in Redis (shared by
    every process; the key is one account's, hash-tagged by its id), or in this
    process without Redis (the embedded mode runs one process)."""

    def __init__(self, redis: Client | None, *, prefix: str, ttl: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl
        self._keep = Script(KEEP_HIGHER)
        self._local: dict[int, tuple[int, float]] = {}

    def _key(self, account_id: int) -> str:
        return f"{self.prefix}lsn:{{{account_id}}}"

    async def remember(self, account_ids: Iterable[int], position: int) -> None:
        if self.redis is None:
            expires = time.monotonic() + self.ttl
            for account_id in account_ids:
                held = self._local.get(account_id)
                if held is None or held[0] < position or held[1] < time.monotonic():
                    self._local[account_id] = (position, expires)
            return
        for account_id in account_ids:
            await self._keep.run(
                self.redis, [self._key(account_id)], [f"{position:016x}", int(self.ttl * 1000)]
            )

    async def of(self, account_id: int) -> int:
        """The account's last commit position, or 0 if it wrote nothing lately."""
        if self.redis is None:
            held = self._local.get(account_id)
            if held is None or held[1] < time.monotonic():
                self._local.pop(account_id, None)
                return 0
            return held[0]
        found = await self.redis.get(self._key(account_id))
        return int(found, 16) if found else 0


@dataclass
class ReadScope:
    """What one request's reads that may lag must see. Until it is ``declared`` (the
    reader known), they go to the primary."""

    declared: bool = False
    account_id: int | None = None
    need: int = 0  # the replay position a replica must have reached
    primary_only: bool = False  # the request wrote, or its reader's position is unknown


_scope: ContextVar[ReadScope | None] = ContextVar("roost_read_scope", default=None)


def current_scope() -> ReadScope | None:
    """The scope of the request being answered; None outside a request (jobs, workers)."""
    return _scope.get()


class ReadScopes:
    """Gives each HTTP request and stream a scope of its own, for as long as it runs;
    the first one starts polling the replicas (a process that answers no request, a
    worker, reads none)."""

    def __init__(self, app: ASGIApp, replicas: Replicas) -> None:
        self.app = app
        self.replicas = replicas

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        self.replicas.watch()
        token = _scope.set(ReadScope())
        try:
            await self.app(scope, receive, send)
        finally:
            _scope.reset(token)
