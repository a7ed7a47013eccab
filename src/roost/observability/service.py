"""What the probes and the scrape ask: is the process alive, can it reach what it needs,
and what do its metrics say.

- Liveness (``/health``) asks nothing: the process answers, so it is alive. A load
  balancer or an orchestrator restarts a process that stops answering it.
- Readiness (``/health/ready``) asks the database (``SELECT 1``) and Redis (``PING``,
  when configured), at once, each within ``CHECK_SECONDS``: a process that cannot
  reach the database should get no traffic until it can (but should not be
  restarted). One that cannot reach Redis is still ready, "degraded": it serves from
  SQL (docs/technical-spec.md, "Failure modes"), and every process shares that Redis,
  so a balancer that took them out for it would turn a slower service into none.
- The metrics page (``/metrics``) is every counter of this process, or of every process
  of its ``roost serve`` (core/metrics.py), and the queue's depth, asked now.

Who may read the metrics: with ``ROOST_METRICS_TOKEN`` set, whoever sends it as a
bearer token (Prometheus's ``authorization`` setting); without one, only clients on
this machine's loopback. The page names no person, but route counts and queue sizes
are an operator's business, and a scrape costs a statement.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from typing import TYPE_CHECKING

from prometheus_client.metrics_core import Metric
from sqlalchemy import text

from roost.core.db import Database
from roost.core.errors import Forbidden, Unauthorized
from roost.core.metrics import render
from roost.core.redis import Client
from roost.jobs.metrics import queue_depth
from roost.jobs.queue import QueueJobRunner, stream_key
from roost.jobs.runner import MAX_ATTEMPTS

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
# What a process cannot serve without (readiness fails without it); Redis is not.
NEEDED = ("database",)


async def check_readiness(*, db: Database, redis: Client | None) -> dict[str, str]:
    """``ok`` or ``failed`` for the database and, when configured, Redis."""
    checks = {"database": _reach_database(db)}
    if redis is not None:
        checks["redis"] = _reach_redis(redis)
    answers = await asyncio.gather(*checks.values())
    return dict(zip(checks, answers, strict=True))


async def _reach_database(db: Database) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS), db.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("readiness: the database is unreachable: %r", exc)
        return "failed"
    return "ok"


async def _reach_redis(redis: Client) -> str:
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await redis.ping()
    except Exception as exc:
        log.warning("readiness: Redis is unreachable: %r", exc)
        return "failed"
    return "ok"


def check_metrics_access(*, token: str, client: str, authorization: str | None) -> None:
    """Refuse a scrape that may not read the metrics (see the module's text)."""
    if token:
        scheme, _, sent = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secrets.compare_digest(
            sent.strip().encode(), token.encode()
        ):
            raise Unauthorized("The metrics need the token ROOST_METRICS_TOKEN names")
        return
    if not _loopback(client):
        raise Forbidden(
            "The metrics are served to this machine only; set ROOST_METRICS_TOKEN to "
            "scrape them from elsewhere"
        )


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False  # "unknown", a Unix socket's peer: not known to be this machine


async def metrics_page(*, runtime: Runtime) -> bytes:
    """The exposition of this process's (or this server's) metrics and the queue."""
    return render(await _queue(runtime))


async def _queue(runtime: Runtime) -> list[Metric]:
    queued = isinstance(runtime.jobs, QueueJobRunner)
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            return await queue_depth(
                db=runtime.db,
                redis=runtime.redis if queued else None,
                stream=stream_key(runtime.settings.redis_prefix) if queued else None,
                max_attempts=MAX_ATTEMPTS,
            )
    except Exception as exc:  # the counters are still worth reading
        log.warning("metrics: the queue's depth could not be read: %r", exc)
        return []
