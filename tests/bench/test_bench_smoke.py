"""The benchmark still works: its seeding and every measurement, at a tiny scale.

Runs ``python -m bench.run`` for real (its own PostgreSQL database, Redis prefix,
``roost serve --workers 2``, a ``roost worker``, the ceiling app and wrk), then checks
the figures make sense and that it cleaned up after itself.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bench.report import END, START, write_docs
from bench.run import parse

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


@needs_services
@pytest.mark.timeout(120)
def test_benchmark_runs_end_to_end_at_tiny_scale(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    argv = [
        sys.executable, "-m", "bench.run",
        "--accounts", "40", "--readers", "20", "--fanout-posters", "2",
        "--big", "1", "--big-followers", "60", "--fanout-limit", "40",
        "--duration", "1", "--connections", "4", "--post-rate", "2",
        "--post-rounds", "3", "--visible-posts", "2", "--visible-sample", "3",
        "--fanout-rounds", "1", "--upload-bytes", "200000",
        "--postgres", POSTGRES, "--redis", REDIS,
        "--json", str(out),
    ]  # fmt: skip
    # The benchmark runs on one Redis (ROOST_BENCH_REDIS), even in a run of the suite on
    # a Redis Cluster (ROOST_TEST_REDIS_CLUSTER): it has no cluster mode yet.
    env = {k: v for k, v in os.environ.items() if k != "ROOST_REDIS_CLUSTER"}
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=110, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| Home reads vs ceiling |" in done.stdout
    r = json.loads(out.read_text())

    assert r["setup"]["accounts"] == 40 + 2 + 1 + 20 + 1  # lurkers fill the big account's 60
    assert r["warm"]["reads"] == 20 and r["warm"]["failures"] == r["warm"]["unread"] == 0
    assert r["home"]["reads_per_s"] > 0 and r["home"]["errors"] == 0
    assert r["home"]["posts"]["failures"] == 0 and r["home"]["posts"]["n"] > 0
    assert r["ceiling"]["reads_per_s"] > 0 and r["ceiling"]["errors"] == 0
    assert r["ceiling"]["body_bytes"] == round(r["home"]["mean_body_bytes"])
    # Uploads during reads: each of the 2 clients finished at least the one it started.
    uploads = r["uploads"]
    assert 200_000 <= uploads["file_bytes"] < 300_000 and uploads["concurrency"] == 2
    assert uploads["uploads"]["n"] >= 2 and uploads["uploads"]["failures"] == 0
    assert uploads["uploads_per_s"] > 0 and uploads["reads_per_s"] > 0
    assert uploads["errors"] == 0
    assert "| Uploads during home reads (0.2 MB JPEG" in done.stdout
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
    assert memory["copy_with_listpack"]["encoding"] == "listpack"
    assert 0 < memory["copy_with_listpack"]["bytes_per_entry"] < 100
    assert r["anatomy"]["sql_per_read"] >= 1
    assert r["anatomy_kept"]["sql_per_read"] == 0
    # The readers follow the (merged) big account, which has not posted since their
    # timelines were warmed: its unchanged posting token spares the merge's statement.
    assert r["anatomy_without_merge"]["sql_per_read"] == r["anatomy"]["sql_per_read"]
    assert r["anatomy_after_burst"]["reads"] > 0

    # Cleaned up: no database, no Redis key, the listpack setting restored.
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        assert not list(client.scan_iter(match=f"{r['redis_prefix']}*", count=1000))
        setting = client.config_get("zset-max-listpack-entries")["zset-max-listpack-entries"]
        assert setting == memory["setting_default"]
    finally:
        client.close()
    databases = subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert r["database"] not in databases


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


def test_results_replace_the_block_in_the_docs(tmp_path: Path) -> None:
    docs = tmp_path / "performance.md"
    docs.write_text(f"# Performance\n\nIntro.\n\n{START}\nold\n{END}\n\nProposals.\n")
    write_docs(docs, "| new | table |")
    write_docs(docs, "| newer | table |")
    text = docs.read_text()
    assert text.count(START) == 1 and text.count(END) == 1
    assert "| newer | table |" in text and "old" not in text and "| new |" not in text
    assert text.startswith("# Performance\n\nIntro.") and text.rstrip().endswith("Proposals.")
