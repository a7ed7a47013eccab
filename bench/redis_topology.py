"""The Redis under a benchmark run: one server (``--redis``), or a Redis Cluster the run
starts for itself (``--cluster``, ``deploy/local_cluster.py``), and what the benchmark
asks of it beyond single-key commands, on either kind of client:

- ``connect``: the benchmark's own client (its reads in Redis: ``ZSCORE`` of deliveries,
  timelines made live through Roost's store, memory), a ``RedisCluster`` on a cluster;
- ``target`` routes a node-level command (``CONFIG``, ``INFO``) to the node holding a key;
- ``delete_keys`` removes the run's keys, ``SCAN`` on every master of a cluster; and
  ``keys_left`` asks every node, replicas too, what remains under the run's prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy.local_cluster import LocalCluster, local_cluster
from redis.asyncio import Redis, RedisCluster
from redis.exceptions import RedisError

from roost.core.redis import MAX_CONNECTIONS_PER_NODE, Client

LISTPACK_SETTING = "zset-max-listpack-entries"
REDIS_DEFAULT_LISTPACK = "128"  # Redis's own default for the setting
SCAN_COUNT = 1000


@dataclass
class Topology:
    """Where one run's Redis is: its URL, and for a cluster the nodes started for it."""

    kind: str  # "single" or "cluster"
    url: str
    masters: int = 1
    replicas: int = 0  # in all
    nodes: list[dict[str, Any]] = field(default_factory=list)  # port, pid of each node
    listpack: str = ""  # the nodes' zset-max-listpack-entries, set at start (a cluster)

    @property
    def cluster(self) -> bool:
        return self.kind == "cluster"

    @property
    def label(self) -> str:
        if not self.cluster:
            return "one Redis"
        return f"Redis Cluster ({self.masters} masters + {self.replicas} replicas)"

    def describe(self) -> dict[str, Any]:
        return {
            "topology": self.kind,
            "label": self.label,
            "url": self.url,
            "masters": self.masters,
            "replicas": self.replicas,
            "nodes": self.nodes,
            "listpack": self.listpack,
        }


def connect(topology: Topology) -> Client:
    """The benchmark's own client. On a cluster, as many connections a node as Roost's
    (the run makes a hundred timelines live at a time, each call a connection)."""
    if topology.cluster:
        return RedisCluster.from_url(topology.url, max_connections=MAX_CONNECTIONS_PER_NODE)
    return Redis.from_url(topology.url)


@contextlib.contextmanager
def started_cluster(*, masters: int, replicas: int, listpack: str) -> Iterator[Topology]:
    """A Redis Cluster on free loopback ports for one run, each node with ``listpack`` as
    its ``zset-max-listpack-entries``; stopped and its folder removed when the block is
    left, whatever leaves it (a failure, Ctrl-C)."""
    folder = Path(tempfile.mkdtemp(prefix="roost-bench-cluster-"))
    options: dict[str, Any] = {"masters": masters, "replicas": replicas}
    started = time.monotonic()
    with local_cluster(folder, config={LISTPACK_SETTING: listpack}, **options) as cluster:
        topology = Topology(
            kind="cluster",
            url=cluster.url,
            masters=masters,
            replicas=masters * replicas,
            nodes=_nodes(cluster),
            listpack=listpack,
        )
        ports = ", ".join(str(node["port"]) for node in topology.nodes)
        print(
            f"{topology.label} up in {time.monotonic() - started:.1f} s on 127.0.0.1 ports "
            f"{ports} ({LISTPACK_SETTING} {listpack}; data in {folder})",
            flush=True,
        )
        yield topology


def _nodes(cluster: LocalCluster) -> list[dict[str, Any]]:
    return [
        {"port": node.port, "pid": node.process.pid if node.process is not None else None}
        for node in cluster.nodes
    ]


async def listpack_setting(url: str) -> str:
    """The ``zset-max-listpack-entries`` of the server at ``url`` (the one-Redis run's), so
    that a cluster started beside it differs in topology only; Redis's default when it
    does not answer."""
    client = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        found = await client.config_get(LISTPACK_SETTING)
        return str(found.get(LISTPACK_SETTING, REDIS_DEFAULT_LISTPACK))
    except (RedisError, OSError):
        return REDIS_DEFAULT_LISTPACK
    finally:
        await client.aclose()


def target(client: Client, key: str) -> dict[str, Any]:
    """Options that send a node-level command to the node holding ``key``: none on one
    Redis; on a cluster, that master (the client's slot map must be loaded: any command
    on the key loads it)."""
    if isinstance(client, RedisCluster):
        return {"target_nodes": client.get_node_from_key(key)}
    return {}


async def server_version(client: Client) -> str:
    if isinstance(client, RedisCluster):
        await client.initialize()
        info = await client.info("server", target_nodes=client.get_random_node())
    else:
        info = await client.info("server")
    return str(info.get("redis_version", "?"))


async def _scan(client: Client, pattern: str) -> AsyncIterator[list[Any]]:
    """The keys matching ``pattern``, a batch at a time: on a cluster, every master's
    own keyspace scanned in turn."""
    if not isinstance(client, RedisCluster):
        cursor = None
        while cursor != 0:
            cursor, keys = await client.scan(cursor or 0, match=pattern, count=SCAN_COUNT)
            yield keys
        return
    await client.initialize()
    for node in client.get_primaries():
        cursor = None
        while cursor != 0:
            # A cluster client's SCAN answers {node: cursor} and the keys found.
            found: Any = await client.scan(
                cursor or 0, match=pattern, count=SCAN_COUNT, target_nodes=node
            )
            cursors, keys = found
            cursor = cursors[node.name]
            yield keys


async def delete_keys(client: Client, prefix: str) -> int:
    """Delete every key under ``prefix``; returns how many. One ``DEL`` per key in a
    pipeline, which a cluster client sends each master its own."""
    deleted = 0
    async for keys in _scan(client, f"{prefix}*"):
        if keys:
            async with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.delete(key)
                deleted += sum(await pipe.execute())
    return deleted


async def keys_left(client: Client, prefix: str, *, wait_s: float = 5.0) -> dict[str, int]:
    """Keys under ``prefix`` (``""``: any key) on each node (``host:port``), masters and
    replicas, each asked on a connection of its own; on a cluster asked again for up to
    ``wait_s`` while any remain (a replica applies its master's deletes a moment later)."""
    if not isinstance(client, RedisCluster):
        return {"redis": await _count(client, prefix)}
    addresses = list(await client.cluster_nodes())
    deadline = time.monotonic() + wait_s
    while True:
        counts = {}
        for address in addresses:
            host, port = address.rsplit(":", 1)
            node = Redis(host=host, port=int(port), socket_timeout=5)
            try:
                counts[address] = await _count(node, prefix)
            finally:
                await node.aclose()
        if not any(counts.values()) or time.monotonic() > deadline:
            return counts
        await asyncio.sleep(0.1)


async def _count(node: Redis, prefix: str) -> int:
    return sum([1 async for _ in node.scan_iter(match=f"{prefix}*", count=SCAN_COUNT)])
