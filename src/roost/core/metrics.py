"""Prometheus metrics: the page a scrape reads, the request metrics, the pools' gauges.

Each feature defines and moves its own metrics (``prometheus_client`` objects made at
import, named ``roost_*``): jobs/metrics.py, timelines/fanout.py,
timelines/page_cache_middleware.py, statuses/service.py, notifications/service.py.
This module holds what they share and what belongs to no feature.

One process or several. ``roost serve --workers N`` runs N processes behind one port,
and a scrape reaches whichever of them accepts it, so their metrics must be added up:
``prometheus_client``'s multiprocess mode. ``roost serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before any process imports this library
(cli.py); each process writes its values to memory-mapped files there, and ``render``
reads them all. A single process (``roost worker``, ``roost serve`` with one process,
the tests) keeps them in memory. Gauges say how processes add up: ``livesum`` for
what each live process holds (connections in use), so a process that exits stops
counting (``forget_this_process``).

Moving a metric is a lock and a few memory writes (a counter's ``inc``, a histogram's
``observe``, also in multiprocess mode): never a round trip. What costs one (the queue's
depth) is asked only when a scrape comes, by the process it reaches.
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from redis.asyncio import ConnectionPool
from sqlalchemy import event
from sqlalchemy.pool import Pool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# Kept home pages take well under a millisecond; a slow rebuild, seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The scope key a middleware that answers before routing names its route under.
ROUTE_KEY = "roost.route"
UNMATCHED = "unmatched"

REQUEST_SECONDS = Histogram(
    "roost_http_request_duration_seconds",
    "Time from a request's arrival to its response's headers, by route template "
    "(not path) and status; its _count is the number of requests",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS_IN_PROGRESS = Gauge(
    "roost_http_requests_in_progress",
    "Requests being answered now (open streams included)",
    multiprocess_mode="livesum",
)
DB_POOL_IN_USE = Gauge(
    "roost_db_pool_checked_out",
    "Database connections checked out of the pool, by pool",
    ["pool"],
    multiprocess_mode="livesum",
)
DB_POOL_CAPACITY = Gauge(
    "roost_db_pool_capacity",
    "Database connections a pool may open (its size plus overflow), by pool",
    ["pool"],
    multiprocess_mode="livesum",
)
REDIS_POOL_IN_USE = Gauge(
    "roost_redis_pool_in_use",
    "Redis connections in use (commands running, pub/sub subscriptions held)",
    multiprocess_mode="livesum",
)
REDIS_POOL_CAPACITY = Gauge(
    "roost_redis_pool_capacity",
    "Redis connections the pool may open",
    multiprocess_mode="livesum",
)


def multiprocess_dir() -> str | None:
    """The folder the processes of one ``roost serve`` share their metrics in, if any."""
    return os.environ.get(MULTIPROCESS_DIR) or None


class Snapshot(Collector):
    """Metrics worked out for one scrape (``render``'s ``extra``)."""

    def __init__(self, metrics: Iterable[Metric]) -> None:
        self.metrics = list(metrics)

    def collect(self) -> Iterable[Metric]:
        return self.metrics


def render(extra: Iterable[Metric] = ()) -> bytes:
    """The text exposition of every metric of this process, or of every process of this
    ``roost serve``, followed by ``extra``."""
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(Snapshot(extra))
    folder = multiprocess_dir()
    if folder is None:
        return generate_latest(REGISTRY) + generate_latest(snapshot)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return generate_latest(registry) + generate_latest(snapshot)


def forget_this_process() -> None:
    """At a process's end: its ``live*`` gauges stop counting in the sum (a process
    that is killed keeps counting until ``roost serve`` restarts; see the spec)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(os.getpid())


# -- requests ----------------------------------------------------------------------


def name_route(scope: Scope, route: str) -> None:
    """For a middleware that answers before routing: the route template to count under."""
    scope[ROUTE_KEY] = route


def route_of(scope: Scope) -> str:
    """The route template that answered (``/api/v1/statuses/{id}``), never the path a
    client chose: the label's values are bounded by the app's routes."""
    named = scope.get(ROUTE_KEY)
    if named is not None:
        return str(named)
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestMetrics:
    """Times each HTTP request to its response's headers (an open stream's headers go
    out at once, so streams count as fast answers, not hour-long ones) and counts it by
    method, route template and status. A request that raised counts as a 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # The histogram's children by labels: ``labels()`` checks and locks each time.
        self._timers: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        elapsed: float | None = None

        async def timed(message: Message) -> None:
            nonlocal status, elapsed
            if message["type"] == "http.response.start":
                status = message["status"]
                elapsed = time.perf_counter() - start
            await send(message)

        REQUESTS_IN_PROGRESS.inc()
        try:
            await self.app(scope, receive, timed)
        finally:
            REQUESTS_IN_PROGRESS.dec()
            method = scope["method"] if scope["method"] in METHODS else "other"
            route = route_of(scope)
            timer = self._timers.get((method, route, status))
            if timer is None:
                timer = REQUEST_SECONDS.labels(method, route, str(status))
                self._timers[(method, route, status)] = timer
            timer.observe(elapsed if elapsed is not None else time.perf_counter() - start)


# -- pools -------------------------------------------------------------------------


def watch_database_pool(name: str, pool: Pool, *, capacity: int) -> None:
    """Count ``pool``'s connections in use, as SQLAlchemy checks them out and in."""
    in_use = DB_POOL_IN_USE.labels(name)
    DB_POOL_CAPACITY.labels(name).inc(capacity)

    def checked_out(*_: Any) -> None:
        in_use.inc()

    def checked_in(*_: Any) -> None:
        in_use.dec()

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)


def forget_database_pool(name: str, *, capacity: int) -> None:
    """The pool is disposed of: its capacity no longer counts."""
    DB_POOL_CAPACITY.labels(name).dec(capacity)


class MeteredConnectionPool(ConnectionPool):
    """redis-py's connection pool, counting the connections in use.

    Each connection handed out is remembered (weakly) until it comes back, so a
    release that hands back a connection never counted (redis-py's own cleanup after
    a failed connect) moves nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counted: weakref.WeakSet[Any] = weakref.WeakSet()
        REDIS_POOL_CAPACITY.inc(self.max_connections)

    async def get_connection(self, *args: Any, **kwargs: Any) -> Any:
        connection = await super().get_connection(*args, **kwargs)
        self._counted.add(connection)
        REDIS_POOL_IN_USE.inc()
        return connection

    async def release(self, connection: Any) -> None:
        try:
            await super().release(connection)
        finally:
            if connection in self._counted:
                self._counted.discard(connection)
                REDIS_POOL_IN_USE.dec()

    def forget(self) -> None:
        """The pool is closed: what it held no longer counts."""
        REDIS_POOL_IN_USE.dec(len(self._counted))
        self._counted = weakref.WeakSet()
        REDIS_POOL_CAPACITY.dec(self.max_connections)
