"""Where one home-timeline read spends its time: SQL statements, Redis round trips,
and the rest (Python: routing, auth, ORM, rendering, JSON), counted in-process.

The Roost app runs inside this process (ASGI transport, no network) against the
benchmark's database and Redis prefix, and reads already-live timelines one at a
time, so each statement's wall time is its own.
"""

from __future__ import annotations

import collections
import contextlib
import re
import time
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
from redis.asyncio.client import Pipeline, Redis
from redis.asyncio.cluster import ClusterPipeline, RedisCluster
from sqlalchemy import event

import roost.timelines.service
from bench.measure import HOME, headers
from roost.app import create_app
from roost.core.settings import Settings
from roost.runtime import Runtime


class Tally:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sql = 0
        self.sql_s = 0.0
        self.redis = 0
        self.redis_s = 0.0
        self.statements: collections.Counter[str] = collections.Counter()


# What a call to Redis goes through, on one Redis and on a Redis Cluster: a command, or
# a pipeline (one round trip; on a cluster, one per master, sent at once).
_COUNTED = (
    (Redis, "execute_command"),
    (Pipeline, "execute"),
    (RedisCluster, "execute_command"),
    (ClusterPipeline, "execute"),
)


@contextlib.contextmanager
def _counting_redis(tally: Tally) -> Iterator[None]:
    def timed(call: Any) -> Any:
        async def counted(self: Any, *args: Any, **options: Any) -> Any:
            started = time.perf_counter()
            try:
                return await call(self, *args, **options)
            finally:
                tally.redis += 1
                tally.redis_s += time.perf_counter() - started

        return counted

    originals = [(owner, name, getattr(owner, name)) for owner, name in _COUNTED]
    for owner, name, call in originals:
        setattr(owner, name, timed(call))
    try:
        yield
    finally:
        for owner, name, call in originals:
            setattr(owner, name, call)


@contextlib.contextmanager
def without_big_merge() -> Iterator[None]:
    """What-if, in this process only: home reads skip the read-time merge of big
    accounts (``merge_big_accounts``), to show what that step costs a read."""
    real = roost.timelines.service.merge_big_accounts

    async def skip(*_: Any, **__: Any) -> None:
        return None

    roost.timelines.service.merge_big_accounts = skip
    try:
        yield
    finally:
        roost.timelines.service.merge_big_accounts = real


def _shape(statement: str) -> str:
    """A short name for a statement: its verb and first table."""
    match = re.search(r"\bFROM\s+(\w+)", statement)
    verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    return f"{verb} {match.group(1) if match else ''}".strip()


async def home_read_anatomy(
    settings: Settings, tokens: Sequence[str], *, kept: bool = False
) -> dict[str, Any]:
    """Every page is read once untimed (as a running server, this process then holds
    each reader's filters, versions and pooled connections), then read again, timed:
    rendered (the page cache is switched off in this process), or, with ``kept``,
    answered from the page kept by the first read: what a read costs when nothing on
    it has changed."""
    runtime = Runtime(settings)
    await runtime.start(sweep=False)
    if not kept:
        runtime.page_cache = None
    tally = Tally()
    started_at: list[float] = []

    def before(*_: Any) -> None:
        started_at.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        tally.sql += 1
        tally.sql_s += time.perf_counter() - started_at.pop()
        tally.statements[_shape(statement)] += 1

    engine = runtime.db.read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        app = create_app(settings, runtime)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            for token in tokens:  # untimed: pools, this process's caches, kept pages
                await http.get(HOME, params={"limit": 20}, headers=headers(token))
            tally.reset()
            total = 0.0
            with _counting_redis(tally):
                for token in tokens:
                    begun = time.perf_counter()
                    response = await http.get(HOME, params={"limit": 20}, headers=headers(token))
                    total += time.perf_counter() - begun
                    response.raise_for_status()
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        await runtime.stop()
    reads = len(tokens)
    return {
        "reads": reads,
        "ms_per_read": total / reads * 1000,
        "sql_per_read": tally.sql / reads,
        "sql_ms_per_read": tally.sql_s / reads * 1000,
        "redis_round_trips_per_read": tally.redis / reads,
        "redis_ms_per_read": tally.redis_s / reads * 1000,
        "statements_per_read": {
            shape: round(count / reads, 2) for shape, count in tally.statements.most_common()
        },
    }
