"""A real Redis Cluster on loopback for the tests: 3 masters and 3 replicas, each a
``redis-server --cluster-enabled yes`` on a free port with its data in a temporary
folder, joined by ``redis-cli --cluster create ... --cluster-replicas 1``
(``deploy/local_cluster.py``, which the benchmark's ``--cluster`` starts too).

Two uses:

- ``ROOST_TEST_REDIS_CLUSTER=1``: the whole run uses ONE such cluster in place of the
  local Redis (``tests/conftest.py``: ``REDIS_URL``, and ``REDIS`` when
  ``ROOST_TEST_REDIS`` is set too). The process that imports this module first (pytest
  itself, or the xdist controller) picks the ports and starts the cluster at
  ``pytest_configure``; xdist workers find its address in the environment they inherit.
  Every test keeps its keys under a prefix of its own, as on one Redis.
- the cluster tests (``tests/core/test_redis_cluster.py``) start one of their own per
  module, since they stop and promote nodes.

``client`` and ``async_client`` make a test's own connection of the right kind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import redis
import redis.asyncio
from deploy.local_cluster import LocalCluster, free_ports, local_cluster

__all__ = ["CLUSTER", "LocalCluster", "async_client", "client", "delete_keys", "local_cluster"]

# The whole run on a Redis Cluster instead of one Redis.
CLUSTER = os.environ.get("ROOST_TEST_REDIS_CLUSTER", "").lower() in {"1", "true", "yes"}
# Set by the process that starts the run's cluster, read by the xdist workers.
_ADDRESS = "ROOST_TEST_REDIS_CLUSTER_ADDRESS"


def client(url: str, *, cluster: bool = CLUSTER) -> Any:
    """A synchronous client for a test's own reads and cleanup."""
    return redis.RedisCluster.from_url(url) if cluster else redis.Redis.from_url(url)


def async_client(url: str, *, cluster: bool = CLUSTER) -> Any:
    """An asyncio client for a test's own reads (closed with ``aclose``)."""
    if cluster:
        return redis.asyncio.RedisCluster.from_url(url)
    return redis.asyncio.Redis.from_url(url)


def delete_keys(url: str, *patterns: str, cluster: bool = CLUSTER) -> int:
    """Delete every key matching ``patterns``: on a cluster, found on every master."""
    found = client(url, cluster=cluster)
    deleted = 0
    try:
        for pattern in patterns:
            # A cluster client's SCAN visits every master, and its DEL is split by slot.
            keys = list(found.scan_iter(match=pattern, count=1000))
            if keys:
                deleted += found.delete(*keys)
    finally:
        found.close()
    return deleted


# -- the run's own cluster (ROOST_TEST_REDIS_CLUSTER=1) -----------------------------

_run_cluster: LocalCluster | None = None
_run_ports: list[int] = []


def run_cluster_url() -> str:
    """The address of the run's cluster: chosen here by the first process, found in
    the environment by the xdist workers it starts."""
    address = os.environ.get(_ADDRESS)
    if address is None:
        _run_ports.extend(free_ports(12))
        address = os.environ[_ADDRESS] = f"redis://127.0.0.1:{_run_ports[0]}/0"
    return address


def start_run_cluster() -> None:
    """In the process that chose the address (not in xdist workers): start it."""
    global _run_cluster
    if not _run_ports or _run_cluster is not None:
        return
    folder = Path(tempfile.mkdtemp(prefix="roost-redis-cluster-"))
    _run_cluster = LocalCluster(folder, ports=list(_run_ports))
    try:
        _run_cluster.start()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def stop_run_cluster() -> None:
    global _run_cluster
    if _run_cluster is not None:
        _run_cluster.stop()
        shutil.rmtree(_run_cluster.folder, ignore_errors=True)
        _run_cluster = None
