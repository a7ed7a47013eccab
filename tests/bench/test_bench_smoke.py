"""The benchmark still works: its seeding and every measurement, at a tiny scale.

Runs ``python -m bench.run --cluster both`` for real (its own PostgreSQL database, Redis
prefix, ``roost serve --workers 2``, a ``roost worker``, the ceiling app and wrk; on the
local Redis, then on a Redis Cluster it starts for itself), then checks the figures of
both make sense, side by side, and that it cleaned up after itself, cluster included.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from bench.report import END, START, render, write_docs
from bench.run import parse, topologies

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("ROOST_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("ROOST_BENCH_REDIS", "redis://127.0.0.1:6379/0")


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# A developer without the services may skip; CI (CI=true) always runs it.
needs_services = pytest.mark.skipif(
    os.environ.get("CI") != "true"
    and (shutil.which("wrk") is None or not _reachable(5432) or not _reachable(6379)),
    reason="the benchmark needs wrk (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1",
)


# A Redis Cluster of the run's own needs the Redis binaries.
needs_cluster = pytest.mark.skipif(
    os.environ.get("CI") != "true"
    and (shutil.which("redis-server") is None or shutil.which("redis-cli") is None),
    reason="the benchmark's --cluster needs redis-server and redis-cli",
)

TINY = [
    "--accounts", "40", "--readers", "20", "--fanout-posters", "2",
    "--big", "1", "--big-followers", "60", "--fanout-limit", "40",
    "--duration", "1", "--connections", "4", "--post-rate", "2",
    "--post-rounds", "3", "--visible-posts", "2", "--visible-sample", "3",
    "--fanout-rounds", "1", "--upload-bytes", "200000", "--read-rate", "20",
    "--postgres", POSTGRES, "--redis", REDIS,
]  # fmt: skip
CLUSTER = "Redis Cluster (3 masters + 3 replicas)"


@needs_services
@needs_cluster
@pytest.mark.timeout(300)
def test_benchmark_runs_on_one_redis_and_a_cluster_side_by_side(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    argv = [sys.executable, "-m", "bench.run", *TINY, "--cluster", "both", "--json", str(out)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=290)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    both = json.loads(out.read_text())
    single, cluster = both["single"], both["cluster"]

    # The same population, seeded anew for each, measured in full on each Redis.
    assert single["redis"]["topology"] == "single" and cluster["redis"]["topology"] == "cluster"
    assert single["database"] != cluster["database"]
    for r in (single, cluster):
        assert_figures(r)

    # One table, a column each, every target and every measure filled in on both.
    table = done.stdout[done.stdout.index("Run of ") :]
    assert f"| target (issues 4, 13) | goal | one Redis | met? | {CLUSTER} | met? |" in table
    assert f"| measure | one Redis | {CLUSTER} |" in table
    rows = table[table.index("| measure |") :].split("\n\n")[0].splitlines()[2:]
    assert len(rows) == 19  # every measure of tests/bench's tiny run, uploads included
    for row in rows:
        cells = row.strip("|").split(" | ")
        assert len(cells) == 3 and "not measured" not in row, row
    targets = table[table.index("| target") :].split("\n\n")[0].splitlines()[2:]
    assert [len(row.strip("|").split(" | ")) for row in targets] == [6] * 5
    assert "| Uploads during home reads (0.2 MB JPEG" in table
    # One run alone keeps its one-column table.
    alone = render(single)
    assert "| measure | result |" in alone
    assert "| target (issues 4, 13) | goal | measured | met? |" in alone
    assert "Redis Cluster" not in alone

    # Cleaned up on the one Redis: no key of the run, the listpack setting restored.
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        assert not list(client.scan_iter(match=f"{single['redis_prefix']}*", count=1000))
        setting = client.config_get("zset-max-listpack-entries")["zset-max-listpack-entries"]
        assert setting == single["redis_memory"]["setting_default"]
    finally:
        client.close()
    assert single["cleanup"]["keys_deleted"] > 0 and single["cleanup"]["keys_left"] == {"redis": 0}

    # The cluster: 3 masters and 3 replicas, nodes with the one Redis's listpack setting
    # (so the columns differ in topology only); Roost's keys were on it, and when the run
    # had deleted them no node, replicas included, held any key at all.
    nodes = cluster["redis"]["nodes"]
    assert cluster["redis"]["masters"] == 3 and len(nodes) == 6
    assert cluster["redis"]["listpack"] == single["redis_memory"]["setting_default"]
    assert cluster["redis_memory"]["setting_default"] == cluster["redis"]["listpack"]
    assert cluster["cleanup"]["keys_deleted"] > 0
    left = cluster["cleanup"]["keys_left"]
    assert sorted(int(name.rsplit(":", 1)[1]) for name in left) == sorted(n["port"] for n in nodes)
    assert set(left.values()) == {0}
    # ... and then it was stopped: no node process, nothing on its ports.
    assert_stopped([n["port"] for n in nodes], [n["pid"] for n in nodes])

    databases = database_names()
    assert single["database"] not in databases and cluster["database"] not in databases


def database_names() -> list[str]:
    return subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def assert_figures(r: dict[str, Any]) -> None:
    """What a tiny run measures, on either Redis."""
    assert r["setup"]["accounts"] == 40 + 2 + 1 + 20 + 1  # lurkers fill the big account's 60
    assert r["warm"]["reads"] == 20 and r["warm"]["failures"] == r["warm"]["unread"] == 0
    assert r["home"]["reads_per_s"] > 0 and r["home"]["errors"] == 0
    assert r["home"]["posts"]["failures"] == 0 and r["home"]["posts"]["n"] > 0
    assert r["ceiling"]["reads_per_s"] > 0 and r["ceiling"]["errors"] == 0
    assert r["ceiling"]["body_bytes"] == round(r["home"]["mean_body_bytes"])
    # The steady phases: reads on wrk's schedule, the ceiling's and Roost's, posts beside.
    for steady in (r["ceiling_steady"], r["home_steady"]):
        assert steady["reads_per_s"] > 0 and steady["errors"] == 0
        assert 0 < steady["p50_ms"] <= steady["p99_ms"] <= steady["max_ms"]
    assert r["home_steady"]["posts"]["failures"] == 0 and r["home_steady"]["posts"]["n"] > 0
    # Uploads during reads: each of the 2 clients finished at least the one it started.
    uploads = r["uploads"]
    assert 200_000 <= uploads["file_bytes"] < 300_000 and uploads["concurrency"] == 2
    assert uploads["uploads"]["n"] >= 2 and uploads["uploads"]["failures"] == 0
    assert uploads["uploads_per_s"] > 0 and uploads["reads_per_s"] > 0
    assert uploads["errors"] == 0
    assert r["post_latency"]["zero_followers"]["n"] == 3
    assert r["post_latency"]["big_account"]["n"] == 3
    # Both paths to a follower's home: fanned out, and merged at read (60 > limit 40).
    seen = r["post_to_visible"]
    assert seen["fan-out"]["visible"]["n"] == seen["fan-out"]["arrived"]["n"] == 2 * 3
    assert seen["merged"]["visible"]["n"] == 3
    assert seen["all"]["n"] == 2 * 3 + 3 and seen["all"]["failures"] == 0
    # The fan-out posters are followed by all 40 actives (= the limit: still fanned
    # out), every one live: 20 readers warmed over HTTP, the other 20 made live in Redis.
    assert r["fan_out"]["live_followers"] == 40 and r["fan_out"]["made_live"] == 40 - 20
    fan_out = r["fan_out"]["rounds"][0]
    assert fan_out["deliveries"] == fan_out["expected"] == 2 * 40
    assert r["fan_out"]["deliveries_per_s_median"] > 0
    memory = r["redis_memory"]
    assert memory["as_stored"]["entries"] > 0
    assert memory["copy_with_listpack"]["encoding"] == "listpack"
    assert 0 < memory["copy_with_listpack"]["bytes_per_entry"] < 100
    assert r["anatomy"]["sql_per_read"] >= 1 and r["anatomy"]["redis_round_trips_per_read"] >= 1
    assert r["anatomy_kept"]["sql_per_read"] == 0
    assert r["anatomy_kept"]["redis_round_trips_per_read"] >= 1
    # The readers follow the (merged) big account, which has not posted since their
    # timelines were warmed: its unchanged posting token spares the merge's statement.
    assert r["anatomy_without_merge"]["sql_per_read"] == r["anatomy"]["sql_per_read"]
    assert r["anatomy_after_burst"]["reads"] > 0


def assert_stopped(ports: list[int], pids: list[int]) -> None:
    for port in ports:
        assert not _reachable(port), f"a Redis node still answers on {port}"
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@needs_services
@needs_cluster
@pytest.mark.timeout(120)
def test_ctrl_c_stops_the_runs_cluster_and_cleans_up(tmp_path: Path) -> None:
    # Ctrl-C (SIGINT) once the run is seeding on its cluster: the run cleans up, then
    # stops the cluster and removes its files.
    log = tmp_path / "out.txt"
    argv = [sys.executable, "-m", "bench.run", *TINY, "--cluster", "--cluster-replicas", "0"]
    # As from a terminal: a background job (this test, when scripts/test runs the suite)
    # ignores SIGINT, and a child inherits that; one that catches it gets the default.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with log.open("w") as out:
            bench = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        deadline = time.monotonic() + 60
        while "seeding" not in log.read_text():
            assert bench.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        bench.send_signal(signal.SIGINT)
        bench.wait(timeout=60)
    finally:
        if bench.poll() is None:
            bench.kill()
            bench.wait()
    text = log.read_text()
    assert bench.returncode != 0 and "KeyboardInterrupt" in text, text[-3000:]
    kept = re.search(r"benchmark failed; server logs in (\S+)", text)  # kept for a reader
    assert kept, text[-3000:]
    shutil.rmtree(kept.group(1))
    started = re.search(
        r"Redis Cluster \(3 masters \+ 0 replicas\) up in .* ports ([\d, ]+) \(", text
    )
    assert started, text[-3000:]
    assert_stopped([int(port) for port in started.group(1).split(", ")], [])
    folder = re.search(r"data in (\S+)\)", text)
    assert folder and not Path(folder.group(1)).exists()
    databases = database_names()
    assert f"roost_bench_{bench.pid}_cluster" not in databases


def test_fan_out_posters_above_the_fanout_limit_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Every active account follows the fan-out posters: 41 followers > limit 40 would
    # make them big accounts, merged at read time, so the run refuses to start.
    with pytest.raises(SystemExit) as refused:
        parse(["--accounts", "41", "--fanout-limit", "40"])
    assert refused.value.code == 2
    assert "more than --fanout-limit" in capsys.readouterr().err
    assert parse(["--accounts", "40", "--fanout-limit", "40"]).accounts == 40
    no_posters = parse(["--accounts", "41", "--fanout-limit", "40", "--fanout-posters", "0"])
    assert no_posters.fanout_posters == 0


def test_the_redis_of_each_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert topologies(parse([])) == ["single"]
    assert topologies(parse(["--cluster", "--duration", "1"])) == ["cluster"]
    assert topologies(parse(["--cluster", "both"])) == ["single", "cluster"]
    assert parse(["--cluster"]).cluster_replicas == 1
    for wrong in (["--cluster", "three"], ["--cluster", "--cluster-replicas", "-1"]):
        with pytest.raises(SystemExit) as refused:
            parse(wrong)
        assert refused.value.code == 2
    assert "--cluster-replicas must be 0 or more" in capsys.readouterr().err


def test_results_replace_the_block_in_the_docs(tmp_path: Path) -> None:
    docs = tmp_path / "performance.md"
    docs.write_text(f"# Performance\n\nIntro.\n\n{START}\nold\n{END}\n\nProposals.\n")
    write_docs(docs, "| new | table |")
    write_docs(docs, "| newer | table |")
    text = docs.read_text()
    assert text.count(START) == 1 and text.count(END) == 1
    assert "| newer | table |" in text and "old" not in text and "| new |" not in text
    assert text.startswith("# Performance\n\nIntro.") and text.rstrip().endswith("Proposals.")
