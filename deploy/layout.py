"""The names and addresses of one topology of several hosts (deploy/topology.py).

A slot number keeps several topologies apart: slot ``k`` has the subnet 10.213.k.0/24
(hosts .1-.3, the bridge .254), namespaces ``roostk-h1``..``h3``, the bridge
``roostk-br``, files in /tmp/roost-hosts-k and the balancer on 127.0.0.1:8213+k.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """Names and addresses of one topology."""

    slot: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.slot <= 250:
            raise ValueError("the slot is a number from 0 to 250")

    @property
    def name(self) -> str:
        return f"roost{self.slot}"

    @property
    def subnet(self) -> str:
        return f"10.213.{self.slot}"

    def address(self, host: int) -> str:
        return f"{self.subnet}.{host}"

    @property
    def bridge_address(self) -> str:
        return f"{self.subnet}.254"

    def namespace(self, host: int) -> str:
        return f"{self.name}-h{host}"  # also the root end of its veth pair (<= 15 chars)

    @property
    def bridge(self) -> str:
        return f"{self.name}-br"

    @property
    def folder(self) -> Path:
        return Path(f"/tmp/roost-hosts-{self.slot}")

    @property
    def port(self) -> int:
        return 8213 + self.slot

    def host_of(self, address: str) -> int:
        return int(address.rsplit(".", 1)[1])

    def host_folder(self, host: int) -> Path:
        return self.folder / f"h{host}"

    def pg_data(self, host: int) -> Path:
        return self.host_folder(host) / "pg"
