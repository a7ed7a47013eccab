"""A real Redis Cluster on loopback, for the tests and the benchmark: ``masters``
masters and ``replicas`` replicas each, every node a ``redis-server --cluster-enabled
yes`` on a free port with its data in a folder of its own, joined by ``redis-cli
--cluster create ... --cluster-replicas N``.

``local_cluster`` starts one and, whatever happens (a failure, Ctrl-C), stops every node
and removes the folder. The tests use it (``tests/redis_cluster.py``,
``tests/core/test_redis_cluster.py``), and so does ``python -m bench.run --cluster``.
(``deploy/redis_cluster.py`` is the other kind: nodes on the hosts of
``deploy/topology.py``, watched with ``redis-cli``.)
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

START_TIMEOUT = 30.0
# As docs/performance.md advises for timelines of ROOST_TIMELINE_CAP (800).
DEFAULT_CONFIG = {"zset-max-listpack-entries": "1024"}


def free_ports(count: int) -> list[int]:
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
    promoted (a second or two in all). ``config``: more ``redis-server`` settings, the
    same on every node."""

    folder: Path
    masters: int = 3
    replicas: int = 1
    node_timeout_ms: int = 1000
    ports: list[int] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CONFIG))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> LocalCluster:
        count = self.masters * (1 + self.replicas)
        if not self.ports:
            self.ports = free_ports(2 * count)
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
        """Start (or start again, with its cluster config) one node's server, in a
        session of its own: a Ctrl-C in the terminal reaches the owner, which stops
        the nodes after it has cleaned up on them."""
        log = (node.folder / "redis.log").open("ab")
        settings = [part for name, value in self.config.items() for part in (f"--{name}", value)]
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
                *settings,
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def _wait_for_ping(self, node: Node) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(redis.RedisError), node.client() as client:
                if client.ping():
                    return
            if node.process is not None and node.process.poll() is not None:
                raise RuntimeError(f"Redis node {node.name} exited: see {node.folder}/redis.log")
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


@contextlib.contextmanager
def local_cluster(folder: Path, **options: Any) -> Iterator[LocalCluster]:
    """A cluster of its own, stopped and its folder removed after, also when it fails to
    start or the block is left by an exception (Ctrl-C included)."""
    cluster = LocalCluster(folder, **options)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
