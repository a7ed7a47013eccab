"""The Roost benchmark, end to end, in one command.

    .venv/bin/python -m bench.run [--accounts 10000] [--big 3] [--big-followers 100000]
                                  [--duration 30] [--write-docs] [--profile]
                                  [--cluster [both]] [--cluster-replicas 1]

1. creates its own PostgreSQL database and Redis key prefix, runs ``roost migrate``,
   bulk-loads a skewed population (bench/graph.py, bench/seed.py);
2. starts ``roost serve --workers N`` and ``roost worker``s on free ports (scaled
   mode: PostgreSQL + Redis), and reads every reader's home once to make it live
   (the fan-out phase later makes every follower of the fan-out posters live too);
3. measures home reads under a mixed load (wrk, plus posts from Python), the
   ceiling (bench/ceiling.py, same stack, same body size), post latency of a
   0-follower and a big account, post-to-visible, fan-out deliveries/s, Redis bytes
   per timeline entry, and the anatomy of one read (SQL statements, Redis trips);
4. prints the results (and, with ``--write-docs``, writes them into
   docs/performance.md); always stops its processes, deletes its Redis keys and
   drops its database, even on failure or Ctrl-C.

``--cluster`` runs all of it on a Redis Cluster it starts for itself (3 masters with
``--cluster-replicas`` replicas each, on free loopback ports; bench/redis_topology.py),
Roost's processes with ``ROOST_REDIS_CLUSTER=true``; the cluster is stopped and its
files removed at the end, also on failure or Ctrl-C. ``--cluster both`` runs on
``--redis`` first, then on the cluster, each on a freshly seeded database of the same
population, and reports the two side by side.

Run it from the repository root on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import redis_topology, report, servers
from bench.graph import Population, Shape, build
from bench.load import wrk_available
from bench.phases import Context, log, measure_all
from bench.profile import py_spy
from bench.redis_topology import Topology
from bench.seed import asyncpg_url, drop_database, seed
from roost.core.redis import Client
from roost.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "performance.md"
CLUSTER_MASTERS = 3


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument(
        "--accounts",
        type=int,
        default=10_000,
        help="active accounts (they post, follow, hold tokens; at most --fanout-limit)",
    )
    p.add_argument(
        "--readers", type=int, default=1000, help="actives who read (their timelines are live)"
    )
    p.add_argument(
        "--fanout-posters",
        type=int,
        default=8,
        help="accounts followed by every active account (at most --fanout-limit of them)",
    )
    p.add_argument("--big", type=int, default=3, help="accounts with --big-followers followers")
    p.add_argument("--big-followers", type=int, default=100_000)
    p.add_argument("--duration", type=float, default=30, help="seconds of each wrk phase")
    p.add_argument("--api-workers", type=int, default=2, help="roost serve --workers")
    p.add_argument("--job-workers", type=int, default=1, help="roost worker processes")
    p.add_argument("--worker-concurrency", type=int, default=8)
    p.add_argument("--connections", type=int, default=32, help="wrk connections")
    p.add_argument("--wrk-threads", type=int, default=1)
    p.add_argument(
        "--post-rate", type=float, default=5, help="at most this many posts/s during the reads"
    )
    p.add_argument(
        "--read-rate",
        type=float,
        default=300,
        help="home reads/s of the steady phases (the ceiling's and Roost's p99 at one rate)",
    )
    p.add_argument(
        "--upload-concurrency",
        type=int,
        default=2,
        help="uploaders (one upload at a time each) during a home-read phase; 0: none",
    )
    p.add_argument(
        "--upload-bytes", type=int, default=2_000_000, help="size of the JPEG they upload"
    )
    p.add_argument("--post-rounds", type=int, default=100, help="posts per account for latency")
    p.add_argument("--visible-posts", type=int, default=10, help="fanned-out posts to follow")
    p.add_argument("--visible-sample", type=int, default=10, help="followers polled per post")
    p.add_argument("--fanout-rounds", type=int, default=3)
    p.add_argument("--fanout-limit", type=int, default=10_000, help="ROOST_FANOUT_LIMIT")
    p.add_argument("--timeline-cap", type=int, default=800, help="ROOST_TIMELINE_CAP")
    p.add_argument("--warm-limit", type=float, default=300, help="max seconds to warm readers")
    p.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="the one Redis")
    p.add_argument(
        "--cluster",
        nargs="?",
        const="only",
        choices=("only", "both"),
        help=f"run on a Redis Cluster of {CLUSTER_MASTERS} masters started for the run; "
        "'--cluster both': on --redis first, then on the cluster, side by side",
    )
    p.add_argument(
        "--cluster-replicas", type=int, default=1, help="replicas of each cluster master"
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--profile", action="store_true", help="py-spy the API workers (extra phase)")
    p.add_argument("--write-docs", action="store_true", help=f"write the results into {DOCS}")
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--keep-logs", action="store_true", help="keep the run folder (server logs)")
    args = p.parse_args(argv)
    if args.cluster_replicas < 0:
        p.error("--cluster-replicas must be 0 or more")
    followers = shape_of(args).mid_followers
    if args.fanout_posters and followers > args.fanout_limit:
        # Roost merges the posts of an account with more followers than the limit at
        # read time instead of fanning them out: the fan-out posters would measure nothing.
        p.error(
            f"each of the --fanout-posters accounts is followed by every active account "
            f"({followers:,}), more than --fanout-limit ({args.fanout_limit:,}), so their "
            "posts would be merged at read time, not fanned out: lower --accounts or "
            "raise --fanout-limit"
        )
    return args


def shape_of(args: argparse.Namespace) -> Shape:
    return Shape(
        actives=args.accounts,
        readers=args.readers,
        mid=args.fanout_posters,
        big=args.big,
        big_followers=args.big_followers,
        seed=args.seed,
    )


def _version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        return "?"
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )


async def machine(redis: Client, postgres: str) -> dict[str, Any]:
    cpu = cpu_model()
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    pg = _version(["psql", f"{postgres}/postgres", "-Atc", "SHOW server_version"])
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": pages / 2**30,
        "python": platform.python_version(),
        "postgres": pg.split()[0],
        "redis": await redis_topology.server_version(redis),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def population_summary(pop: Population) -> dict[str, Any]:
    counts: dict[int, int] = defaultdict(int)
    for _, target in pop.follows:
        counts[target] += 1
    active = sorted(counts.get(a, 0) for a in pop.actives)
    return {
        "accounts": len(pop.accounts),
        "actives": len(pop.actives),
        "readers": len(pop.readers),
        "mid": len(pop.mid),
        "mid_followers": pop.shape.mid_followers,
        "big": len(pop.big),
        "big_followers": pop.shape.big_followers,
        "lurkers": len(pop.lurkers),
        "follows": len(pop.follows),
        "statuses": len(pop.statuses),
        "followers_median": active[len(active) // 2] if active else 0,
        "followers_p99": active[int(len(active) * 0.99)] if active else 0,
        "followers_max": active[-1] if active else 0,
    }


def topologies(args: argparse.Namespace) -> list[str]:
    """The Redis of each run, in order: one Redis, a cluster, or one then the other."""
    return {None: ["single"], "only": ["cluster"], "both": ["single", "cluster"]}[args.cluster]


async def run(args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    """Every run asked for, on the same population: one result each."""
    log("building the population")
    pop = build(shape_of(args))
    runs = []
    for kind in topologies(args):
        place = folder / kind  # the run's server logs and media
        place.mkdir()
        if kind == "single":
            runs.append(await run_on(args, pop, Topology("single", args.redis), place))
            continue
        listpack = await redis_topology.listpack_setting(args.redis)
        with redis_topology.started_cluster(
            masters=CLUSTER_MASTERS, replicas=args.cluster_replicas, listpack=listpack
        ) as cluster:
            runs.append(await run_on(args, pop, cluster, place))
    return runs


async def run_on(
    args: argparse.Namespace, pop: Population, topology: Topology, folder: Path
) -> dict[str, Any]:
    """Seed a database of its own, start Roost on ``topology``'s Redis, measure, and
    clean up: the processes stopped, the run's keys deleted (and what is left on each
    node counted), the database dropped."""
    suffix = "" if topology.kind == "single" else f"_{topology.kind}"
    database = f"roost_bench_{os.getpid()}{suffix}"
    prefix = f"roost-bench:{os.getpid()}:"
    redis = redis_topology.connect(topology)
    stack = servers.Stack(folder)
    results: dict[str, Any] = {
        "database": database,
        "redis_prefix": prefix,
        "redis": topology.describe(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ".venv/bin/python -m bench.run " + " ".join(sys.argv[1:]),
    }
    log(f"on {topology.label}")
    try:
        results["machine"] = await machine(redis, args.postgres)
        setup = population_summary(pop)
        log(f"seeding {setup['accounts']:,} accounts, {setup['follows']:,} follows")
        seeding = await seed(args.postgres, database, folder, pop)
        setup |= {
            "migrate_s": seeding["migrate_s"],
            "load_s": seeding["load_s"],
            "api_workers": args.api_workers,
            "job_workers": args.job_workers,
            "worker_concurrency": args.worker_concurrency,
            "wrk_threads": args.wrk_threads,
            "connections": args.connections,
            "duration": args.duration,
        }
        results["setup"] = setup
        log(f"seeded in {seeding['load_s']:.1f} s")

        port = servers.free_port()
        database_url = asyncpg_url(args.postgres, database)
        env = servers.roost_env(
            database_url=database_url,
            redis_url=topology.url,
            redis_cluster=topology.cluster,
            redis_prefix=prefix,
            port=port,
            data_dir=folder,
            fanout_limit=args.fanout_limit,
            timeline_cap=args.timeline_cap,
        )
        env["PYTHONPATH"] = str(ROOT)
        api = servers.start_api(stack, env, port, args.api_workers)
        for number in range(args.job_workers):
            servers.start_worker(stack, env, number, args.worker_concurrency)
        await asyncio.to_thread(servers.wait_healthy, api)
        await asyncio.to_thread(
            servers.wait_log, api, "Application startup complete", args.api_workers
        )
        for process in stack.processes[1:]:
            await asyncio.to_thread(servers.wait_log, process, "roost worker on node", 1)
        assert api.url is not None
        log(f"roost serve up at {api.url} with {args.job_workers} worker(s)")

        settings = Settings(
            database_url=database_url,
            redis_url=topology.url,
            redis_cluster=topology.cluster,
            redis_prefix=prefix,
            rate_limits=False,
            domain=f"127.0.0.1:{port}",
            data_dir=folder,
            secret_key=servers.SECRET,
            fanout_limit=args.fanout_limit,
            timeline_cap=args.timeline_cap,
        )
        context = Context(
            args=args,
            pop=pop,
            stack=stack,
            api=api,
            redis=redis,
            prefix=prefix,
            settings=settings,
            folder=folder,
        )
        results |= await measure_all(context)
        results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        stack.stop_all()
        try:
            deleted = await redis_topology.delete_keys(redis, prefix)
            # On a cluster of the run's own, any key left is the run's.
            left = await redis_topology.keys_left(redis, "" if topology.cluster else prefix)
            results["cleanup"] = {"keys_deleted": deleted, "keys_left": left}
            log(f"{deleted:,} keys deleted, {sum(left.values())} left on {len(left)} node(s)")
        finally:
            await redis.aclose()
            await drop_database(args.postgres, database)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not wrk_available():
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    if args.profile and py_spy() is None:
        print("--profile needs py-spy: pip install py-spy", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="roost-bench-"))
    try:
        runs = asyncio.run(run(args, folder))
    except BaseException:
        print(f"benchmark failed; server logs in {folder}", file=sys.stderr)
        raise
    # One run: its results. Several: each under its Redis ("single", "cluster").
    results = runs[0] if len(runs) == 1 else {r["redis"]["topology"]: r for r in runs}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    table = report.render_runs(runs)
    print()
    print(table)
    for r in runs:
        if "profile" in r:
            print(json.dumps(r["profile"], indent=2))
    if args.write_docs:
        report.write_docs(DOCS, table)
        print(f"\nwritten into {DOCS}")
    if not args.keep_logs:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
