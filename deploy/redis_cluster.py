"""A Redis Cluster made and watched with ``redis-cli``: creation with replicas placed by
hand, and the questions a fault test asks (is every slot served? which master holds
this key?). Nodes are (address, port) pairs."""

from __future__ import annotations

import contextlib
import subprocess
from dataclasses import dataclass

from deploy.services import redis_cli

SLOTS = 16384
Address = tuple[str, int]


@dataclass(frozen=True)
class Node:
    """One line of ``CLUSTER NODES``."""

    id: str
    address: Address
    flags: list[str]  # master, slave, myself, fail, fail?, ...
    master: str  # its master's id, or "-"
    ranges: list[str]  # "0-5460", "5461", "[...]" (a slot moving)

    @property
    def serves(self) -> bool:
        """A live master: it answers for its slots."""
        return "master" in self.flags and not any(f.startswith("fail") for f in self.flags)

    def slots(self) -> set[int]:
        held: set[int] = set()
        for part in self.ranges:
            if not part.startswith("["):
                first, _, last = part.partition("-")
                held.update(range(int(first), int(last or first) + 1))
        return held


def create(masters: list[Address], replicas: dict[Address, Address]) -> None:
    """A cluster of ``masters`` (the slots shared evenly), then each of ``replicas``
    (replica -> master) added as the replica of its master. ``redis-cli --cluster
    create --cluster-replicas 1`` would place replicas itself; here the caller says
    where, so that no host holds a master and its own replica."""
    _cluster("create", *map(_name, masters), "--cluster-replicas", "0", "--cluster-yes")
    for replica, master in replicas.items():
        master_id = redis_cli(*master, "CLUSTER", "MYID").strip()
        _cluster(
            "add-node", _name(replica), _name(masters[0]),
            "--cluster-slave", "--cluster-master-id", master_id,
        )  # fmt: skip


def take_back(masters: list[Address]) -> None:
    """Make each of ``masters`` that is a replica now (its master died and it came
    back as the replica of its own replica) the master again with ``CLUSTER
    FAILOVER``: a handover its master agrees to, after the replica has caught up, so
    nothing is lost. Restores one master per host."""
    for address in masters:
        if redis_cli(*address, "ROLE").split()[0] != "master":
            redis_cli(*address, "CLUSTER", "FAILOVER")


def masters_are(among: list[Address], masters: list[Address]) -> bool:
    """``masters`` and no other nodes hold the slots, and the cluster is whole."""
    holding = {n.address for n in nodes(among) if n.serves and n.ranges}
    return holding == set(masters) and whole(among, len(masters))


def nodes(among: list[Address]) -> list[Node]:
    """``CLUSTER NODES`` as the first of ``among`` that answers sees it."""
    for address in among:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            listing = redis_cli(*address, "CLUSTER", "NODES")
            return [_node(line) for line in listing.splitlines() if line]
    raise RuntimeError("no Redis Cluster node answers")


def whole(among: list[Address], masters: int) -> bool:
    """Every node answers and says the cluster is ok; ``masters`` masters hold slots,
    each replica's link to its master is up, and there are as many replicas."""
    for address in among:
        if "cluster_state:ok" not in redis_cli(*address, "CLUSTER", "INFO"):
            return False
    found = nodes(among)
    replicas = [n for n in found if "slave" in n.flags]
    if len([n for n in found if n.serves and n.ranges]) != masters or len(replicas) != masters:
        return False
    return all(
        "master_link_status:up" in redis_cli(*n.address, "INFO", "replication") for n in replicas
    )


def serving(among: list[Address]) -> bool:
    """Masters that answer serve every slot: a dead master's replica has taken over
    (the cluster marks a master failed only after the node timeout, so each is asked)."""
    live = [n for n in nodes(among) if n.serves and n.ranges and _answers(n.address)]
    return sum(len(n.slots()) for n in live) == SLOTS


def _answers(address: Address) -> bool:
    try:
        return redis_cli(*address, "PING").strip() == "PONG"
    except (RuntimeError, subprocess.SubprocessError):
        return False


def master_of(among: list[Address], key: str) -> Address:
    """The master that holds ``key``."""
    found = nodes(among)
    myself = next(n.address for n in found if "myself" in n.flags)
    slot = int(redis_cli(*myself, "CLUSTER", "KEYSLOT", key))
    for node in found:
        if node.serves and slot in node.slots():
            return node.address
    raise RuntimeError(f"no live master holds slot {slot}")


def _node(line: str) -> Node:
    fields = line.split()
    address, port = fields[1].split("@")[0].rsplit(":", 1)
    return Node(fields[0], (address, int(port)), fields[2].split(","), fields[3], fields[8:])


def _name(address: Address) -> str:
    return f"{address[0]}:{address[1]}"


def _cluster(*args: str) -> None:
    done = subprocess.run(
        ["redis-cli", "--cluster", *args], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"redis-cli --cluster {args[0]}: {done.stdout}{done.stderr}")
