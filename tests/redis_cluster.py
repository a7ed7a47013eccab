"""A real Redis Cluster on loopback for the tests: 3 masters and 3 replicas, each a
``redis-server --cluster-enabled yes`` on a free port with its data in a temporary
folder, joined by ``redis-cli --cluster create ... --cluster-replicas 1``.

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

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
import redis.asyncio

# The whole run on a Redis Cluster instead of one Redis.
CLUSTER = os.environ.get("ROOST_TEST_REDIS_CLUSTER", "").lower() in {"1", "true", "yes"}
# Set by the process that starts the run's cluster, read by the xdist workers.
_ADDRESS = "ROOST_TEST_REDIS_CLUSTER_ADDRESS"
START_TIMEOUT = 30.0


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Node:
    port: int
    bus_port: int
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)


@dataclass
class LocalCluster:
    """``masters`` masters, each with ``replicas`` replicas, on loopback. A master is
    declared failed ``node_timeout_ms`` after it stops answering, then its replica is
    promoted (a second or two in all)."""

    folder: Path
    masters: int = 3
    replicas: int = 1
    node_timeout_ms: int = 1000
    ports: list[int] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> LocalCluster:
        count = self.masters * (1 + self.replicas)
        if not self.ports:
            self.ports = _free_ports(2 * count)
        try:
            for number in range(count):
                folder = self.folder / f"node{number}"
                folder.mkdir(parents=True, exist_ok=True)
                node = Node(self.ports[number], self.ports[count + number], folder)
                self.nodes.append(node)
                self.start_node(node)
            for node in self.nodes:
                self._wait_for_ping(node)
            subprocess.run(
                [
                    "redis-cli",
                    "--cluster",
                    "create",
                    *(node.name for node in self.nodes),
                    "--cluster-replicas",
                    str(self.replicas),
                    "--cluster-yes",
                ],
                check=True,
                capture_output=True,
                timeout=START_TIMEOUT,
            )
            self.wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def start_node(self, node: Node) -> None:
        """Start (or start again, with its cluster config) one node's server."""
        log = (node.folder / "redis.log").open("ab")
        node.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(node.port),
                "--cluster-enabled",
                "yes",
                "--cluster-port",
                str(node.bus_port),
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                str(self.node_timeout_ms),
                "--dir",
                str(node.folder),
                "--save",
                "",
                "--appendonly",
                "no",
                # As docs/performance.md advises for timelines of ROOST_TIMELINE_CAP (800).
                "--zset-max-listpack-entries",
                "1024",
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def _wait_for_ping(self, node: Node) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(redis.RedisError), node.client() as client:
                if client.ping():
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"Redis node {node.name} did not start")
            time.sleep(0.05)

    def wait_until_healthy(self) -> None:
        """Until every running node says the cluster is ok, sees exactly the running
        nodes as up (a stopped one as failed), and ``masters`` masters serve the slots."""
        running = [n for n in self.nodes if n.process is not None and n.process.poll() is None]
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if all(self._healthy(node, len(running)) for node in running):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the Redis Cluster did not become healthy")
            time.sleep(0.05)

    def _healthy(self, node: Node, running: int) -> bool:
        try:
            with node.client() as client:
                info = client.cluster("info")
                nodes = client.cluster("nodes")
                replication = client.info("replication")
        except redis.RedisError:
            return False
        up = [n for n in nodes.values() if "fail" not in n["flags"]]  # nor "fail?"
        serving = [n for n in up if "master" in n["flags"] and n["slots"]]
        return (
            info.get("cluster_state") == "ok"
            and len(serving) == self.masters
            and len(up) == running  # every node sees the others as they are
            # A replica that has not synced yet could not take over from its master.
            and replication.get("master_link_status", "up") == "up"
        )

    def roles(self) -> dict[int, tuple[str, int | None]]:
        """Each live node's port: 'master', or 'replica' and its master's port, as the
        first node that answers sees them."""
        for node in self.nodes:
            if node.process is None:
                continue
            try:
                with node.client() as client:
                    nodes = client.cluster("nodes")
            except redis.RedisError:
                continue
            ports = {n["node_id"]: int(address.rsplit(":", 1)[1]) for address, n in nodes.items()}
            roles: dict[int, tuple[str, int | None]] = {}
            for address, n in nodes.items():
                if "fail" in n["flags"] or "noaddr" in n["flags"]:
                    continue
                port = int(address.rsplit(":", 1)[1])
                if "master" in n["flags"]:
                    roles[port] = ("master", None)
                else:
                    roles[port] = ("replica", ports.get(n["master_id"]))
            return roles
        raise RuntimeError("no Redis Cluster node answers")

    def node(self, port: int) -> Node:
        return next(node for node in self.nodes if node.port == port)

    def stop_node(self, port: int) -> None:
        """Kill one node's server (SIGKILL: a crash, nothing saved)."""
        node = self.node(port)
        if node.process is not None:
            node.process.kill()
            node.process.wait(timeout=10)
            node.process = None

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                node.process.kill()
                node.process.wait(timeout=10)
                node.process = None


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
        _run_ports.extend(_free_ports(12))
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


@contextlib.contextmanager
def local_cluster(folder: Path, **options: Any) -> Iterator[LocalCluster]:
    """A cluster of its own for one module, stopped and its folder removed after."""
    cluster = LocalCluster(folder, **options).start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
