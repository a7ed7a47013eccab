"""The results table: printed, and written into docs/performance.md between markers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"

READ_RATIO_TARGET = 0.5
POST_RATIO_TARGET = 1.5
VISIBLE_P99_TARGET_MS = 1000.0
FANOUT_TARGET = 100_000.0


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, goal, measured, met) for the four targets of issue 4."""
    reads = r["home"]["reads_per_s"]
    ceiling = r["ceiling"]["reads_per_s"]
    ratio = reads / ceiling if ceiling else 0.0
    small = r["post_latency"]["zero_followers"]["p99_ms"]
    large = r["post_latency"]["big_account"]["p99_ms"]
    post_ratio = large / small if small else float("inf")
    visible = r["post_to_visible"]["all"]  # over HTTP, both kinds
    fanout = r["fan_out"]["deliveries_per_s_median"]
    return [
        (
            "Home reads vs ceiling",
            f">= {READ_RATIO_TARGET}x",
            f"{reads:,.0f} / {ceiling:,.0f} req/s = {ratio:.3f}x",
            ratio >= READ_RATIO_TARGET,
        ),
        (
            "Post p99, big account vs 0 followers",
            f"<= {POST_RATIO_TARGET}x",
            f"{large:.1f} / {small:.1f} ms = {post_ratio:.2f}x",
            post_ratio <= POST_RATIO_TARGET,
        ),
        (
            "Post to visible p99",
            f"< {VISIBLE_P99_TARGET_MS:.0f} ms",
            f"{visible['p99_ms']:.0f} ms ({visible['n']} samples, "
            f"{visible['failures']} not seen in time)",
            visible["p99_ms"] < VISIBLE_P99_TARGET_MS and visible["failures"] == 0,
        ),
        (
            "Fan-out deliveries/s",
            f">= {FANOUT_TARGET:,.0f}",
            f"{fanout:,.0f} (median of {len(r['fan_out']['rounds'])} rounds)",
            fanout >= FANOUT_TARGET,
        ),
    ]


def _lat(x: dict[str, Any]) -> str:
    return f"p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms (n={x['n']})"


def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    s = r["setup"]
    lines = [
        f"Run of {r['date']} on `{m['host']}`: {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory_gb']:.0f} GB RAM, Python {m['python']}, PostgreSQL {m['postgres']}, "
        f"Redis {m['redis']}; load average {m['load_before']} before, {m['load_after']} after "
        "(the cores are shared; client, servers, PostgreSQL and Redis all run on them).",
        "",
        f"Command: `{r['command']}`",
        "",
        f"Population: {s['accounts']:,} accounts ({s['actives']:,} active posters, of which "
        f"{s['readers']:,} read (live timelines); {s['mid']} accounts followed by every "
        f"active account, {s['mid_followers']:,} followers each (the fan-out posters), "
        f"{s['big']} big accounts with {s['big_followers']:,} followers each, "
        f"{s['lurkers']:,} lurkers, one 0-follower account), {s['follows']:,} follows "
        f"(followers of active accounts: median {s['followers_median']}, p99 "
        f"{s['followers_p99']}, max {s['followers_max']:,}), {s['statuses']:,} statuses. "
        f"Seeded in {s['load_s']:.1f} s (+ {s['migrate_s']:.1f} s `roost migrate`). "
        f"Servers: `roost serve --workers {s['api_workers']}` + {s['job_workers']} "
        f"`roost worker` (concurrency {s['worker_concurrency']}); wrk -t{s['wrk_threads']} "
        f"-c{s['connections']} -d{s['duration']}s.",
        "",
        "| target (issue 4) | goal | measured | met? |",
        "| --- | --- | --- | --- |",
    ]
    for name, goal, measured, met in targets(r):
        lines.append(f"| {name} | {goal} | {measured} | {'yes' if met else '**no**'} |")
    home = r["home"]
    ceiling = r["ceiling"]
    pl = r["post_latency"]
    pv = r["post_to_visible"]
    fo = r["fan_out"]
    mem = r["redis_memory"]
    warm = r["warm"]
    an = r["anatomy"]
    lines += [
        "",
        "| measure | result |",
        "| --- | --- |",
        f"| Home reads (limit 20, mixed load) | {home['reads_per_s']:,.0f} req/s, p50 "
        f"{home['p50_ms']:.1f} ms, p99 {home['p99_ms']:.1f} ms, {home['errors']} errors; "
        f"body {home['mean_body_bytes']:,.0f} B |",
        f"| Posts during the read load (one at a time) | {home['posts_per_s']:.1f} posts/s, "
        f"{_lat(home['posts'])} |",
        f"| Ceiling (same stack, same body size) | {ceiling['reads_per_s']:,.0f} req/s, p50 "
        f"{ceiling['p50_ms']:.1f} ms, p99 {ceiling['p99_ms']:.1f} ms, body "
        f"{ceiling['body_bytes']:,} B |",
        f"| Post latency, 0 followers | {_lat(pl['zero_followers'])} |",
        f"| Post latency, {s['big_followers']:,} followers | {_lat(pl['big_account'])} |",
        f"| Post to visible over HTTP, fanned-out posts | {_lat(pv['fan-out']['visible'])}, "
        f"{pv['fan-out']['visible']['failures']} missed |",
        f"| Post to in the follower's Redis timeline, fanned-out posts | "
        f"{_lat(pv['fan-out']['arrived'])}, {pv['fan-out']['arrived']['failures']} missed |",
        f"| Post to visible over HTTP, big-account posts (merged at read) | "
        f"{_lat(pv['merged']['visible'])}, {pv['merged']['visible']['failures']} missed |",
        f"| Fan-out throughput | {fo['deliveries_per_s_median']:,.0f} deliveries/s median "
        f"({', '.join(f'{x:,.0f}' for x in fo['per_round'])}) timed from the first POST "
        f"sent to the last delivery; {_from_answer(fo)} timed from the last POST answered; "
        f"per round, {fo['posters']} simultaneous posts, each to all "
        f"{s['mid_followers']:,} followers: {fo['deliveries_per_round']:,} deliveries "
        f"(counted in Redis) of {fo['expected_per_round']:,} expected; every follower's "
        f"timeline live ({fo['made_live']:,} of the {fo['live_followers']:,} made live "
        "directly in Redis, empty, standing for people who read recently) |",
        f"| Redis per timeline entry, as stored | {mem['as_stored']['bytes_per_entry']:.1f} B "
        f"({mem['as_stored']['encoding']}, {mem['as_stored']['entries']} entries, "
        f"zset-max-listpack-entries={mem['setting_default']}) |",
        f"| Redis per entry, listpack (setting {mem['copy_with_listpack']['setting']}) | "
        f"{mem['copy_with_listpack']['bytes_per_entry']:.1f} B "
        f"({mem['copy_with_listpack']['encoding']}) |",
        f"| First reads (rebuild from SQL, make live) | {warm['reads']:,} in "
        f"{warm['seconds']:.1f} s = {warm['per_second']:,.0f}/s, {warm['failures']} failed, "
        f"{warm['unread']} not reached in time |",
        f"| One home read in-process (no HTTP), rendered (page cache off), steady state | "
        f"{_anatomy(an)} |",
    ]
    what_if = r.get("anatomy_without_merge")
    if what_if:
        lines.append(
            "| The same, what-if: read-time merge of big accounts skipped (bench-only "
            f"patch) | {_anatomy(what_if)} |"
        )
    burst = r.get("anatomy_after_burst")
    if burst:
        lines.append(
            f"| The same, for followers of a big account that just posted "
            f"{pl['big_account']['n'] + 1} times in a row | {_anatomy(burst)} |"
        )
    kept = r.get("anatomy_kept")
    if kept:
        lines.append(
            "| One home read in-process, the same page asked again (a kept page) | "
            f"{_anatomy(kept)} |"
        )
    up = r.get("uploads")
    if up:
        lines.append(
            f"| Uploads during home reads ({up['file_bytes'] / 1e6:.1f} MB JPEG, "
            f"`POST /api/v1/media`, {up['concurrency']} clients one at a time) | "
            f"{up['uploads_per_s']:.2f} uploads/s, {_lat(up['uploads'])}, "
            f"{up['uploads']['failures']} failed; home reads meanwhile "
            f"{up['reads_per_s']:,.0f} req/s, p50 {up['p50_ms']:.1f} ms, p99 "
            f"{up['p99_ms']:.1f} ms, {up['errors']} errors (without uploads: "
            f"{home['reads_per_s']:,.0f} req/s, p99 {home['p99_ms']:.1f} ms) |"
        )
    profile = r.get("profile")
    if profile and profile.get("samples"):
        shares = ", ".join(f"{name} {share}%" for name, share in profile["buckets"].items())
        lines += [
            "",
            f"Profile of the API workers (py-spy, {profile['samples']:,} samples during "
            f"{profile['reads_per_s']:,.0f} home reads/s; innermost library frame): {shares}.",
        ]
    return "\n".join(lines)


def _from_answer(fo: dict[str, Any]) -> str:
    """Median of the optimistic rate: as if nothing was delivered before the last
    POST of a round answered."""
    rates = sorted(
        r["deliveries"] / r["seconds_from_answer"] for r in fo["rounds"] if r["seconds_from_answer"]
    )
    return f"{rates[len(rates) // 2]:,.0f}/s" if rates else "n/a"


def _anatomy(an: dict[str, Any]) -> str:
    return (
        f"{an['ms_per_read']:.2f} ms: {an['sql_per_read']:.1f} SQL statements "
        f"({an['sql_ms_per_read']:.2f} ms), {an['redis_round_trips_per_read']:.1f} Redis "
        f"commands or pipelines ({an['redis_ms_per_read']:.2f} ms)"
    )


def write_docs(path: Path, table: str) -> None:
    """Replace the results block of ``path`` (appended if the markers are missing)."""
    text = path.read_text() if path.exists() else "# Performance\n"
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = f"{head}{block}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    path.write_text(text)
