"""``python -m deploy.hosts up|down|status`` (``scripts/hosts``): the distributed
deployment on this one machine. Needs root, iproute2, haproxy, redis-server and
PostgreSQL 15 (Debian's packages). See deploy/topology.py for what runs where."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from deploy.layout import Layout
from deploy.topology import HOSTS, Topology


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/hosts", description=__doc__)
    parser.add_argument(
        "--slot", type=int, default=0, help="which topology (0-250; subnet 10.213.SLOT.0/24)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="build the three hosts and start everything")
    up.add_argument(
        "--cluster",
        action="store_true",
        help="a Redis Cluster (3 masters + 3 replicas) instead of one Redis; sets "
        "ROOST_REDIS_CLUSTER=true",
    )
    up.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="ROOST_X=V",
        help="a setting for every Roost process (repeatable)",
    )
    commands.add_parser("down", help="stop everything and remove namespaces, bridge and files")
    commands.add_parser("status", help="what runs where")
    kill = commands.add_parser("kill", help="kill every process of one host (a dead machine)")
    kill.add_argument("host", type=int, choices=HOSTS)
    start = commands.add_parser("start", help="start a killed host's processes again")
    start.add_argument("host", type=int, choices=HOSTS)
    args = parser.parse_args(argv)

    if os.geteuid() != 0:
        print("scripts/hosts makes network namespaces: run it as root", file=sys.stderr)
        return 2
    layout = Layout(args.slot)
    if args.command == "down":
        Topology(layout).down()
        print(f"{layout.name}: down")
        return 0
    if args.command == "up":
        env = dict(pair.split("=", 1) for pair in args.env)
        topology = Topology(layout, cluster=args.cluster, env=env)
        try:
            topology.up()
        except (RuntimeError, subprocess.CalledProcessError, OSError) as exc:
            print(topology.logs(), file=sys.stderr)
            print(f"up failed: {_why(exc)}\n`scripts/hosts down` cleans up", file=sys.stderr)
            return 1
        print(topology.status())
        print(f"\nRoost answers at {topology.base_url}; `scripts/hosts down` removes it all")
        return 0
    try:
        topology = Topology.existing(args.slot)
    except (OSError, json.JSONDecodeError):
        print(f"{layout.name} is not up", file=sys.stderr)
        return 1
    if args.command == "kill":
        print(f"killed {len(topology.kill_host(args.host))} processes on h{args.host}")
    elif args.command == "start":
        topology.start_host(args.host)
        topology.wait_host_balanced(args.host)
    print(topology.status())
    return 0


def _why(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        said = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        return f"{' '.join(map(str, exc.cmd))}: {said}"
    return str(exc)


if __name__ == "__main__":
    sys.exit(main())
