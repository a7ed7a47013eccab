"""Rate limits on the actions abuse goes for: sign-in, sign-up, posting.

Backed by the ``limits`` library: in-process memory in the embedded mode,
Redis when ROOST_REDIS_URL is set, so every API process counts against the same
limits. Keys live under ``ROOST_REDIS_PREFIX`` + ``ratelimit:``. On one Redis the
limiter shares the runtime's connection pool; on a Redis Cluster it is the library's
cluster storage (``async+redis+cluster://`` at the nodes the runtime's client was
given; a ``RedisCluster`` of its own, closed with the runtime): each limit is one key,
one slot.

If Redis cannot be reached for a check, the action is allowed (fail open) and a
warning is logged at most once a minute: an outage of the limiter's store should
not lock every user out of signing in, and the limits are a brake on abuse, not
an access control.

A refused action raises ``RateLimited`` carrying the seconds until the moving
window frees a slot: every 429 answers with that as ``Retry-After``.

Signing in (the OAuth password grant, the web login form, the authorize page's
form, and checking the current password to change it) counts twice
(``accounts.credentials.check_login``): per account, whatever alias was typed
(an unknown login by its normalized text), and per IP across every login.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisClusterStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis, RedisCluster

from roost.core.breaker import REDIS_FAILED, Breaker
from roost.core.cluster_breaker import GuardedCluster
from roost.core.errors import RateLimited
from roost.core.redis import Client

log = logging.getLogger(__name__)

RULES = {
    # Sign-in attempts on one account (by id, or an unknown login's normalized text).
    "login_account": parse("10/5 minutes"),
    # Sign-in attempts from one IP, whatever account: one password sprayed over many
    # usernames. As Mastodon's throttle_login_attempts/ip.
    "login_ip": parse("25/5 minutes"),
    "register": parse("5/30 minutes"),
    "post": parse("300/3 hours"),
    "oauth_app": parse("20/5 minutes"),
    # Mails asked for (a password reset, the confirmation again): per address typed, or
    # per account, so one inbox is not flooded; and per IP across addresses.
    "mail_address": parse("5/hour"),
    "mail_ip": parse("20/hour"),
}

WARN_EVERY_SECONDS = 60.0


class RateLimiter:
    def __init__(
        self,
        *,
        enabled: bool,
        redis: Client | None = None,
        prefix: str = "",
        rules: Mapping[str, RateLimitItem] | None = None,
    ) -> None:
        """Counts in memory, or in ``redis`` (a client whose connection pool is shared,
        not owned; a cluster client's nodes are only read) under ``prefix`` when given.
        ``rules`` adds limits set by the settings (media uploads per hour) to the fixed
        ``RULES``."""
        self.enabled = enabled
        self.rules = {**RULES, **(rules or {})}
        storage: Storage = MemoryStorage()
        # limits' cluster storage builds a client of its own (and never closes it), with
        # the runtime client's timeouts; while the runtime's breaker says no node answers,
        # limits are not asked (as when any call fails: allowed, with a warning).
        self._own_client: Any = None
        self._cluster_down: Breaker | None = None
        if isinstance(redis, RedisCluster):
            timeouts = {
                name: redis.connection_kwargs[name]
                for name in ("socket_timeout", "socket_connect_timeout")
                if redis.connection_kwargs.get(name) is not None
            }
            cluster = RedisClusterStorage(
                _cluster_uri(redis),
                implementation="redispy",
                key_prefix=f"{prefix}ratelimit",
                **timeouts,
            )
            if isinstance(redis, GuardedCluster):
                self._cluster_down = redis.guard.breaker
            self._own_client = cluster.bridge.get_connection()  # type: ignore[attr-defined]
            storage = cluster
        elif isinstance(redis, Redis):
            # redis-py's asyncio client (already a dependency) rather than limits'
            # default coredis. The URI only names the storage kind: connections come
            # from ``redis``'s pool.
            storage = RedisStorage(
                "async+redis://",
                implementation="redispy",
                key_prefix=f"{prefix}ratelimit",
                connection_pool=redis.connection_pool,  # type: ignore[arg-type]
            )
        self._limiter = MovingWindowRateLimiter(storage)
        self._warned_at: float | None = None

    async def close(self) -> None:
        """Close the connections of a client of the limiter's own (a cluster's)."""
        if self._own_client is not None:
            await self._own_client.aclose()

    async def hit(self, rule: str, key: str, *, message: str = "Too many requests") -> None:
        """Count one ``rule`` action by ``key`` (an IP or account id); 429 past the limit."""
        if not self.enabled:
            return
        if self._cluster_down is not None and self._cluster_down.is_open:
            self._warn_unchecked(rule, "no node of the Redis Cluster answers")
            return
        try:
            allowed = await self._limiter.hit(self.rules[rule], rule, key)
        except REDIS_FAILED as exc:
            self._warn_unchecked(rule, exc)
            return
        if not allowed:
            raise RateLimited(message, retry_after=await self._retry_after(rule, key))

    async def _retry_after(self, rule: str, key: str) -> int:
        """Whole seconds until the oldest counted action leaves ``rule``'s window."""
        item = self.rules[rule]
        try:
            stats = await self._limiter.get_window_stats(item, rule, key)
        except REDIS_FAILED:
            return item.get_expiry()
        return math.ceil(stats.reset_time - time.time())

    def _warn_unchecked(self, rule: str, exc: Exception | str) -> None:
        now = time.monotonic()
        if self._warned_at is None or now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("rate limit %r not checked, allowing: Redis failed: %s", rule, exc)


def _cluster_uri(redis: RedisCluster) -> str:
    """limits' URI for the cluster ``redis`` was pointed at (its startup nodes)."""
    nodes = ",".join(node.name for node in redis.nodes_manager.startup_nodes.values())
    kwargs = redis.connection_kwargs
    user, password = kwargs.get("username") or "", kwargs.get("password")
    login = f"{quote(user)}:{quote(password)}@" if password else ""
    return f"async+redis+cluster://{login}{nodes}"
