"""The Redis client of a process: one Redis server, or a Redis Cluster.

``connect_redis`` is the one place a client is built (the runtime calls it, and the tests).

- One Redis (``ROOST_REDIS_URL``): redis-py's ``Redis`` on a ``MeteredConnectionPool``,
  which counts the connections in use for /metrics (core/metrics.py).
- A Redis Cluster (``ROOST_REDIS_CLUSTER=true``, ``ROOST_REDIS_URL`` naming any node):
  redis-py's ``RedisCluster``. It learns the slot map from that node, sends each command
  to the master of its key's slot and follows MOVED and ASK (at most 16 redirections a
  command). A command that meets a connection error, a timeout or CLUSTERDOWN (a master
  lost, its replica not yet promoted) is retried ``RETRIES`` times with a backoff of at
  most ``RETRY_CAP`` seconds, the slot map read again in between: a failover that takes
  a few seconds (cluster-node-timeout plus the election) is ridden out, a longer one
  answers the error. Given the process's breaker it is a ``GuardedCluster``, whose
  breaker opens only when no node answers (core/cluster_breaker.py). It keeps a pool
  per node, which has no hook to count connections: on a cluster the two
  ``roost_redis_pool_*`` gauges stay at 0 (Redis's own ``INFO clients`` on each node
  says how many are open).

On a cluster, a command, MULTI transaction or script may only name keys of ONE hash
slot. Keys used together share a hash tag (``{owner}``, ``{id}``); what spans owners is
split on purpose, with the helpers here: ``by_slot`` groups keys (one group on a single
Redis, which has no slots to respect), ``group_by_node`` by the master that holds them,
``mget`` reads node by node, and ``core/scripts.Script.run_each`` runs a script once
per group in one pipeline. The
spec's "Redis Cluster" section lists every operation and how it is split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias, TypeVar

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import EqualJitterBackoff
from redis.crc import key_slot
from redis.exceptions import ResponseError

from roost.core.breaker import Breaker, guard
from roost.core.cluster_breaker import GuardedCluster
from roost.core.metrics import MeteredConnectionPool
from roost.core.scripts import Script
from roost.core.settings import Settings

Client: TypeAlias = Redis | RedisCluster
T = TypeVar("T")

# A cluster command that failed for want of a master is tried again this many times,
# waiting ~0.1, 0.2, 0.4, ... up to RETRY_CAP seconds in between (each 50-100% of that,
# jittered): 5-9 s in all, past a failover with a cluster-node-timeout of 1-2 s (Redis's
# default of 15 s outlasts it: the command then fails, as any Redis call may).
RETRIES = 12
RETRY_BASE = 0.05
RETRY_CAP = 1.0
# Connections a process may hold to one cluster node (redis-py's default is 100, and
# refuses more rather than waiting): every open stream's pub/sub is one more.
MAX_CONNECTIONS_PER_NODE = 1000


def connect_redis(
    settings: Settings, breaker: Breaker | None = None, *, waits: float = 0.0
) -> Client | None:
    """The client for ``settings``: None without ``ROOST_REDIS_URL``. Its connections give
    up after the settings' short timeouts (an answer may take ``waits`` seconds more, for
    commands that block on purpose), and go through ``breaker`` when given: on one Redis
    any failure opens it (core/breaker.py); on a cluster only one of every node
    (core/cluster_breaker.py), so a master lost alone is left to the client's retries,
    which ride out its failover."""
    if not settings.redis_url:
        return None
    timeouts = {
        "socket_connect_timeout": settings.redis_connect_timeout,
        "socket_timeout": settings.redis_socket_timeout + waits,
    }
    if settings.redis_cluster:
        options: dict[str, Any] = {
            "retry": Retry(EqualJitterBackoff(cap=RETRY_CAP, base=RETRY_BASE), RETRIES),
            "max_connections": MAX_CONNECTIONS_PER_NODE,
            **timeouts,
        }
        if breaker is None:
            return RedisCluster.from_url(settings.redis_url, **options)
        return GuardedCluster.from_url(settings.redis_url, breaker=breaker, **options)
    pool = MeteredConnectionPool.from_url(settings.redis_url, **timeouts)
    return Redis.from_pool(guard(pool, breaker) if breaker is not None else pool)


async def close_redis(client: Client) -> None:
    """Close the client's connections; its pool's connections stop counting."""
    await client.aclose()
    pool = getattr(client, "connection_pool", None)
    if isinstance(pool, MeteredConnectionPool):
        pool.forget()


def is_cluster(client: Client) -> bool:
    return isinstance(client, RedisCluster)


def slot(key: str | bytes) -> int:
    """The hash slot of ``key`` (the part in ``{}`` if it has one), as Redis computes it."""
    return key_slot(key.encode() if isinstance(key, str) else key)


def by_slot(client: Client, items: Iterable[T], key: Callable[[T], str]) -> list[list[T]]:
    """``items`` grouped by the slot of ``key(item)`` on a cluster; on a single Redis,
    all of them in one group (no slot to respect there)."""
    items = list(items)
    if not is_cluster(client):
        return [items] if items else []
    return group_by_slot(items, key)


def group_by_slot(items: Iterable[T], key: Callable[[T], str]) -> list[list[T]]:
    """``items`` grouped by the slot of ``key(item)``, in their order within a group."""
    groups: dict[int, list[T]] = {}
    for item in items:
        groups.setdefault(slot(key(item)), []).append(item)
    return list(groups.values())


async def group_by_node(
    client: RedisCluster, items: Iterable[T], key: Callable[[T], str]
) -> list[list[T]]:
    """``items`` grouped by the master that serves the slot of ``key(item)`` now (by the
    client's slot map, which may be a moment old: a call made on it may meet a slot that
    moved, and must be able to fall back to ``group_by_slot``)."""
    await client.initialize()  # the slot map; at once when known
    groups: dict[str, list[T]] = {}
    for item in items:
        node = client.get_node_from_key(key(item))
        groups.setdefault(node.name if node is not None else "", []).append(item)
    return list(groups.values())


# The values of keys of many slots held by one master: Redis 7's allow-cross-slot-keys
# flag lets one script read them (an MGET of several slots is refused even there), and
# Redis refuses a key its node does not hold. KEYS: one of them (it routes the call).
# ARGV: all of them.
GET_ON_NODE = Script(
    "#!lua flags=allow-cross-slot-keys\n"
    "local values = {}\n"
    "for i, key in ipairs(ARGV) do values[i] = redis.call('GET', key) end\n"
    "return values"
)


async def mget(client: Client, keys: Sequence[str]) -> list[Any]:
    """The values of ``keys`` (None where missing), in order: one MGET on a single Redis.
    On a cluster, one ``GET_ON_NODE`` call per master, all at once (not atomic across
    slots): a kept page's ~40 versions lie in ~40 slots, and an MGET per slot cost the
    client ~40 commands where this costs 3. A group sent on a stale slot map is refused
    before it reads anything and is read again slot by slot."""
    if not keys:
        return []
    if not isinstance(client, RedisCluster):
        return await client.mget(list(keys))
    groups = await group_by_node(client, range(len(keys)), keys.__getitem__)
    answers = await GET_ON_NODE.run_each(
        client,
        [([keys[group[0]]], [keys[n] for n in group]) for group in groups],
        return_exceptions=True,
    )
    values: list[Any] = [None] * len(keys)
    for group, answer in zip(groups, answers, strict=True):
        if isinstance(answer, ResponseError):  # a slot moved since the map was read
            answer = await client.mget_nonatomic([keys[n] for n in group])
        elif isinstance(answer, Exception):
            raise answer
        for n, value in zip(group, answer, strict=True):
            values[n] = value
    return values
