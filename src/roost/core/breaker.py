"""What an unreachable Redis costs a request: little, and the same every time.

Redis holds caches and copies (timelines, rendered statuses and accounts, kept pages,
versions, rate-limit counts) whose truth is in SQL, so a request that cannot reach
Redis reads SQL instead (docs/technical-spec.md, "Failure modes"). Two things keep
that cheap:

- short socket timeouts (``ROOST_REDIS_CONNECT_TIMEOUT``, ``ROOST_REDIS_SOCKET_TIMEOUT``):
  a Redis that does not answer (paused, a host gone) costs a command at most that;
- a circuit breaker per process. Once a command fails to reach Redis (refused, reset,
  timed out), every command fails at once with ``RedisUnavailable`` for
  ``ROOST_REDIS_BREAKER_SECONDS``; then one command goes through as a probe while the
  others still fail at once: if it reaches Redis, the breaker closes; if not, it stays
  open for another period. So a dead Redis costs one timeout per period per process,
  not one per request.

The breaker sits in the connection class of the client's pool (``guard``), so every
command, pipeline, script, lock and the rate limiter's storage (which shares the pool)
pass through it, and code that serves without Redis catches one family of errors,
``REDIS_DOWN``. A reply that is an error (``ResponseError``) proves Redis reachable.

A Redis Cluster's client has a breaker too, with another rule for opening it: only when
no node answers (core/cluster_breaker.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio.connection import AbstractConnection, ConnectionPool
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisClusterUnreachableError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# What "Redis is unreachable" raises (``RedisUnavailable`` is one of them; on a Redis
# Cluster, once no node answered the client's refresh of the slot map, the client
# gives up with ``RedisClusterUnreachableError``, which is neither of the others).
REDIS_DOWN: tuple[type[Exception], ...] = (
    RedisConnectionError,
    RedisTimeoutError,
    RedisClusterUnreachableError,
)


class BreakerOpen(Exception):
    """What a breaker raises without trying (``RedisUnavailable``, and a cluster's
    ``ClusterUnavailable``): no failure of Redis's, so it does not count as one."""


# Any failure of a Redis call: an error of Redis's (REDIS_DOWN among them), or a
# cluster client's give-up, which is no RedisError. For code that goes on without Redis
# whatever went wrong, where REDIS_DOWN is only "out of reach".
REDIS_FAILED: tuple[type[Exception], ...] = (RedisError, RedisClusterException)


class RedisUnavailable(BreakerOpen, RedisConnectionError):
    """Raised without trying: the breaker is open."""


class Breaker:
    """Open for ``cool_off`` seconds after a failure to reach Redis, then one probe:
    the commands of the one connection that asked first (its connect, handshake and
    command all pass) while every other connection's fail at once."""

    def __init__(self, *, cool_off: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.cool_off = cool_off
        self._clock = clock
        self._open_until = 0.0  # 0: closed
        self._prober: object | None = None

    @property
    def is_open(self) -> bool:
        return self._open_until != 0.0

    def check(self, connection: object) -> None:
        """Let ``connection`` send, or raise ``RedisUnavailable``."""
        if self._open_until == 0.0 or connection is self._prober:
            return
        now = self._clock()
        if now < self._open_until:
            raise RedisUnavailable("Redis is unreachable (the circuit breaker is open)")
        # The cool-off is over: this connection probes; the others wait for its outcome.
        self._prober = connection
        self._open_until = now + self.cool_off

    def failed(self, error: Exception) -> None:
        if self._open_until == 0.0:
            log.warning(
                "Redis unreachable (%s); serving without it, trying again every %.1f s",
                error,
                self.cool_off,
            )
        self._prober = None
        self._open_until = self._clock() + self.cool_off

    def succeeded(self) -> None:
        if self._open_until != 0.0:
            self._open_until = 0.0
            self._prober = None
            log.warning("Redis reachable again")


class GuardedConnection(AbstractConnection):
    """A redis-py connection that asks its breaker before it connects or sends, and
    tells it how each command went (``_check``, ``_failed``, ``_succeeded``: a cluster's
    connections tell their client's guard instead, core/cluster_breaker.py)."""

    breaker: Breaker  # set on the class ``guard`` makes for one pool

    def _check(self) -> None:
        self.breaker.check(self)

    def _failed(self, error: Exception) -> None:
        self.breaker.failed(error)

    def _succeeded(self) -> None:
        self.breaker.succeeded()

    async def connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        if self.is_connected:
            return
        self._check()
        try:
            await super().connect_check_health(*args, **kwargs)
        except BreakerOpen:
            raise
        except REDIS_DOWN as error:
            self._failed(error)
            raise

    async def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
        self._check()
        try:
            await super().send_packed_command(*args, **kwargs)
        except BreakerOpen:
            raise
        except REDIS_DOWN as error:
            self._failed(error)
            raise

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("timeout") is not None:
            # A read with a wait of its own (pub/sub polling): its silence proves nothing.
            return await super().read_response(*args, **kwargs)
        try:
            response = await super().read_response(*args, **kwargs)
        except REDIS_DOWN as error:
            self._failed(error)
            raise
        except Exception:  # an error reply: Redis answered
            self._succeeded()
            raise
        self._succeeded()
        return response


def guard(pool: ConnectionPool, breaker: Breaker) -> ConnectionPool:
    """Make every connection ``pool`` opens from now on go through ``breaker``."""
    base = pool.connection_class
    pool.connection_class = type(
        f"Guarded{base.__name__}", (GuardedConnection, base), {"breaker": breaker}
    )
    return pool
