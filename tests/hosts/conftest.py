"""The topology of several hosts (deploy/topology.py) for this folder's tests: one per
module and Redis mode, in a slot of its own (1-250; ``scripts/hosts`` uses slot 0).

It brings its own PostgreSQL and Redis, so the run's backend does not matter to it:
it runs in the PostgreSQL pass only (tests/conftest.py, ``ONE_PASS``).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from deploy import netns
from deploy.layout import Layout
from deploy.services import PG_BIN
from deploy.topology import Topology

HERE = Path(__file__).parent
# Jobs a killed worker held are re-driven by the outbox sweep after this many seconds
# (its default, 30 s, would make every test wait that long).
SETTINGS = {
    "ROOST_RATE_LIMITS": "off",
    "ROOST_SWEEP_AFTER_SECONDS": "2",
    "ROOST_ACCESS_LOG": "off",
    "ROOST_PREVIEW_CARDS": "off",
}


def _missing() -> str:
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "nft", "haproxy", "redis-server", "redis-cli", "psql"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/test installs haproxy and nftables)"
    if not (PG_BIN / "postgres").exists():
        return f"PostgreSQL 15 is not installed ({PG_BIN})"
    return ""


@pytest.fixture(scope="module")
def hosts_slot() -> Iterator[int]:
    """A slot no other run uses: its lock held, no bridge of that name, its balancer
    port free."""
    missing = _missing()
    if missing:
        pytest.skip(f"the topology of several hosts cannot be built here: {missing}")
    for slot in range(1, 251):
        held = _lock(slot)
        if held is None:
            continue
        layout = Layout(slot)
        if not netns.link_exists(layout.bridge) and _port_free(layout.port):
            try:
                yield slot
            finally:
                held.close()
            return
        held.close()
    raise RuntimeError("no free slot for a topology")


def _lock(slot: int) -> socket.socket | None:
    """A lock on ``slot`` that ends with this process: an abstract Unix socket's name
    (no file to clean up); a second bind of the same name is refused."""
    held = socket.socket(socket.AF_UNIX)
    try:
        held.bind(f"\0roost-hosts-slot-{slot}")
    except OSError:
        held.close()
        return None
    return held


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def topology(request: pytest.FixtureRequest, hosts_slot: int) -> Iterator[Topology]:
    """The three hosts, up; ``request.param`` says the Redis mode ("single" or
    "cluster"). Torn down completely afterwards, whatever happened."""
    built = Topology(Layout(hosts_slot), cluster=request.param == "cluster", env=SETTINGS)
    failed_before = request.session.testsfailed
    try:
        try:
            built.up()
        except Exception as exc:
            pytest.fail(f"the topology did not come up: {exc}\n{built.logs()}")
        yield built
        if request.session.testsfailed > failed_before:
            print(f"\nlogs of the hosts:\n{built.logs(40)}")
    finally:
        built.down()
