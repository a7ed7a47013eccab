"""The network of the test hosts: one bridge in the root namespace, and per host a
network namespace joined to it by a veth pair. Everything here is iproute2 (`ip`), but
for a network fault: packets dropped by nftables (`nft`) inside a host's namespace.

A host's processes are found by their namespace (`ip netns pids`), never by name, so
killing a host kills exactly what runs on it, and nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def namespaces() -> list[str]:
    found = ip("netns", "list", check=False).stdout.splitlines()
    return [line.split()[0] for line in found if line.strip()]


def link_exists(name: str) -> bool:
    return ip("link", "show", name, check=False).returncode == 0


def add_bridge(name: str, address: str) -> None:
    """A bridge in the root namespace with ``address`` (CIDR), so this machine reaches
    every host directly."""
    ip("link", "add", name, "type", "bridge")
    ip("addr", "add", address, "dev", name)
    ip("link", "set", name, "up")


def add_host(namespace: str, *, bridge: str, link: str, address: str) -> None:
    """A namespace with loopback up and ``eth0`` (``address``, CIDR) on ``bridge``;
    ``link`` names the root end of the veth pair (at most 15 characters)."""
    ip("netns", "add", namespace)
    ip("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", namespace)
    ip("link", "set", link, "master", bridge)
    ip("link", "set", link, "up")
    ip("-n", namespace, "addr", "add", address, "dev", "eth0")
    ip("-n", namespace, "link", "set", "eth0", "up")
    ip("-n", namespace, "link", "set", "lo", "up")


# The nftables table of a network fault, in the namespace of the host it cuts; removing
# the namespace removes it too.
FAULT_TABLE = "roost_fault"


def drop_tcp(namespace: str, ports: list[int]) -> None:
    """Drop every TCP packet that arrives in ``namespace`` for one of ``ports``, from
    other hosts and from its own processes alike: a new connection is never answered
    (not refused), and one already open goes silent, as when the network fails."""
    listed = ", ".join(map(str, ports))
    rules = (
        f"table inet {FAULT_TABLE} {{\n"
        "  chain input {\n"
        "    type filter hook input priority 0; policy accept;\n"
        f"    tcp dport {{ {listed} }} drop\n"
        "  }\n"
        "}\n"
    )
    subprocess.run(
        ["ip", "netns", "exec", namespace, "nft", "-f", "-"],
        input=rules,
        check=True,
        capture_output=True,
        text=True,
    )


def stop_dropping(namespace: str) -> None:
    """Undo ``drop_tcp``: packets flow again (if none were dropped, nothing changes)."""
    subprocess.run(
        ["ip", "netns", "exec", namespace, "nft", "delete", "table", "inet", FAULT_TABLE],
        capture_output=True,
    )


def pids(namespace: str) -> list[int]:
    """Every process in ``namespace``."""
    found = ip("netns", "pids", namespace, check=False).stdout.split()
    return [int(pid) for pid in found]


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def signal_all(found: list[int], signum: int) -> None:
    for pid in found:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def wait_gone(found: list[int], timeout: float) -> list[int]:
    """Wait until none of ``found`` runs (a zombie counts as gone); the ones left."""
    deadline = time.monotonic() + timeout
    left = found
    while True:
        left = [pid for pid in left if _running(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def kill_namespace(namespace: str, *, grace: float) -> list[int]:
    """Stop every process in ``namespace``: SIGTERM and up to ``grace`` seconds to exit
    (0: SIGKILL at once, as when a machine dies), then SIGKILL. Returns their pids."""
    found = pids(namespace)
    if grace > 0:
        signal_all(found, signal.SIGTERM)
        left = wait_gone(found, grace)
    else:
        left = found
    signal_all(left, signal.SIGKILL)
    wait_gone(left, 10)
    return found


def delete_namespace(namespace: str, link: str) -> None:
    if link_exists(link):
        ip("link", "del", link, check=False)
    ip("netns", "del", namespace, check=False)


def delete_bridge(name: str) -> None:
    if link_exists(name):
        ip("link", "del", name, check=False)


def remove_segment(shmid: int) -> None:
    """Remove a System V shared memory segment if nobody is attached to it any more (a
    PostgreSQL killed with SIGKILL leaves its segment behind)."""
    info = subprocess.run(["ipcs", "-m", "-i", str(shmid)], capture_output=True, text=True)
    for line in info.stdout.splitlines():
        if "nattch=" in line and int(line.split("nattch=")[1].split()[0]) == 0:
            subprocess.run(["ipcrm", "-m", str(shmid)], capture_output=True)
