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
STEADY_P99_TARGET_MS = 10.0


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(target, goal, measured, met) for the four targets of issue 4 and the read p99 of
    issue 13, measured at a steady rate (a p99 under wrk's closed loop is the number of
    connections over the throughput, a throughput figure; docs/performance.md)."""
    reads = r["home"]["reads_per_s"]
    ceiling = r["ceiling"]["reads_per_s"]
    ratio = reads / ceiling if ceiling else 0.0
    small = r["post_latency"]["zero_followers"]["p99_ms"]
    large = r["post_latency"]["big_account"]["p99_ms"]
    post_ratio = large / small if small else float("inf")
    visible = r["post_to_visible"]["all"]  # over HTTP, both kinds
    fanout = r["fan_out"]["deliveries_per_s_median"]
    steady, steady_top = r["home_steady"], r["ceiling_steady"]
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
        (
            "Home read p99 at a steady rate, with posts",
            f"<= {STEADY_P99_TARGET_MS:.0f} ms",
            f"{steady['p99_ms']:.1f} ms at {steady['reads_per_s']:,.0f} reads/s (ceiling "
            f"{steady_top['p99_ms']:.1f} ms)",
            steady["p99_ms"] <= STEADY_P99_TARGET_MS and steady["errors"] == 0,
        ),
    ]


def _lat(x: dict[str, Any]) -> str:
    return f"p50 {x['p50_ms']:.1f} ms, p99 {x['p99_ms']:.1f} ms (n={x['n']})"


def render(r: dict[str, Any]) -> str:
    """One run's results: the targets, then every measure."""
    return render_runs([r])


def render_runs(runs: list[dict[str, Any]]) -> str:
    """The results of one run, or of several on the same population (one Redis, then a
    Redis Cluster: ``--cluster both``) side by side, a column each."""
    lines = [*_header(runs), ""]
    if len(runs) == 1:
        lines += ["| target (issues 4, 13) | goal | measured | met? |", "| --- | --- | --- | --- |"]
    else:
        heads = " | ".join(f"{_label(r)} | met?" for r in runs)
        lines += [
            f"| target (issues 4, 13) | goal | {heads} |",
            "| --- | --- |" + " --- | --- |" * len(runs),
        ]
    goals = {name: goal for name, goal, _, _ in targets(runs[0])}
    found = [{name: (measured, met) for name, _, measured, met in targets(r)} for r in runs]
    for name, goal in goals.items():
        cells = " | ".join(
            f"{m} | {'yes' if met else '**no**'}" for m, met in (f[name] for f in found)
        )
        lines.append(f"| {name} | {goal} | {cells} |")
    if len(runs) == 1:
        lines += ["", "| measure | result |", "| --- | --- |"]
    else:
        lines += [
            "",
            f"| measure | {' | '.join(_label(r) for r in runs)} |",
            "| --- |" + " --- |" * len(runs),
        ]
    rows = [{key: (label, value) for key, label, value in measures(r)} for r in runs]
    labels: dict[str, str] = {}
    for row in rows:  # every measure any run has, in order, labelled by the first run
        for key, (label, _) in row.items():
            labels.setdefault(key, label)
    for key, label in labels.items():
        cells = " | ".join(row[key][1] if key in row else "not measured" for row in rows)
        lines.append(f"| {label} | {cells} |")
    for r in runs:
        profile = r.get("profile")
        if profile and profile.get("samples"):
            shares = ", ".join(f"{name} {share}%" for name, share in profile["buckets"].items())
            on = f" on {_label(r)}" if len(runs) > 1 else ""
            lines += [
                "",
                f"Profile of the API workers{on} (py-spy, {profile['samples']:,} samples during "
                f"{profile['reads_per_s']:,.0f} home reads/s; innermost library frame): "
                f"{shares}.",
            ]
    return "\n".join(lines)


def _label(r: dict[str, Any]) -> str:
    return str(r.get("redis", {}).get("label", "one Redis"))


def _header(runs: list[dict[str, Any]]) -> list[str]:
    r = runs[0]
    m = r["machine"]
    s = r["setup"]
    if len(runs) == 1:
        load = f"load average {m['load_before']} before, {m['load_after']} after"
        seeded = f"Seeded in {s['load_s']:.1f} s (+ {s['migrate_s']:.1f} s `roost migrate`). "
    else:
        load = "load average " + "; ".join(
            f"{x['machine']['load_before']} before, {x['machine']['load_after']} after the "
            f"{_label(x)} run"
            for x in runs
        )
        seeded = (
            "Seeded anew for each column, the same population: "
            + ", ".join(
                f"{x['setup']['load_s']:.1f} s (+ {x['setup']['migrate_s']:.1f} s "
                f"`roost migrate`) for {_label(x)}"
                for x in runs
            )
            + ". "
        )
    lines = [
        f"Run of {r['date']} on `{m['host']}`: {m['cpus']} CPUs ({m['cpu']}), "
        f"{m['memory_gb']:.0f} GB RAM, Python {m['python']}, PostgreSQL {m['postgres']}, "
        f"Redis {m['redis']}; {load} "
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
        f"{seeded}"
        f"Servers: `roost serve --workers {s['api_workers']}` + {s['job_workers']} "
        f"`roost worker` (concurrency {s['worker_concurrency']}); wrk -t{s['wrk_threads']} "
        f"-c{s['connections']} -d{s['duration']}s.",
    ]
    clusters = [x["redis"] for x in runs if x.get("redis", {}).get("topology") == "cluster"]
    if clusters:
        c = clusters[0]
        lines += [
            "",
            f"Redis: {c['label']}, started on this machine for the run (loopback, free "
            f"ports; every node with `zset-max-listpack-entries {c['listpack']}`, as the one "
            "Redis has), Roost's processes with `ROOST_REDIS_CLUSTER=true`"
            + ("; the columns ran one after the other, left to right." if len(runs) > 1 else "."),
        ]
    return lines


def measures(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, measure, result) for every measure of one run."""
    s = r["setup"]
    home = r["home"]
    ceiling = r["ceiling"]
    pl = r["post_latency"]
    pv = r["post_to_visible"]
    fo = r["fan_out"]
    mem = r["redis_memory"]
    warm = r["warm"]
    rows = [
        (
            "home",
            "Home reads (limit 20, mixed load)",
            f"{home['reads_per_s']:,.0f} req/s, p50 {home['p50_ms']:.1f} ms, p99 "
            f"{home['p99_ms']:.1f} ms, {home['errors']} errors; body "
            f"{home['mean_body_bytes']:,.0f} B",
        ),
        (
            "posts",
            "Posts during the read load (one at a time)",
            f"{home['posts_per_s']:.1f} posts/s, {_lat(home['posts'])}",
        ),
        (
            "ceiling",
            "Ceiling (same stack, same body size)",
            f"{ceiling['reads_per_s']:,.0f} req/s, p50 {ceiling['p50_ms']:.1f} ms, p99 "
            f"{ceiling['p99_ms']:.1f} ms, body {ceiling['body_bytes']:,} B",
        ),
        (
            "home_steady",
            "Home reads at a steady rate (wrk on a schedule), with posts",
            _steady(r["home_steady"])
            + f"; {r['home_steady']['posts_per_s']:.1f} posts/s, {_lat(r['home_steady']['posts'])}"
            + _rendered(r["home_steady"]),
        ),
        ("ceiling_steady", "Ceiling at the same steady rate", _steady(r["ceiling_steady"])),
        ("post_small", "Post latency, 0 followers", _lat(pl["zero_followers"])),
        (
            "post_big",
            f"Post latency, {s['big_followers']:,} followers",
            _lat(pl["big_account"]),
        ),
        (
            "visible_fan_out",
            "Post to visible over HTTP, fanned-out posts",
            f"{_lat(pv['fan-out']['visible'])}, {pv['fan-out']['visible']['failures']} missed",
        ),
        (
            "arrived_fan_out",
            "Post to in the follower's Redis timeline, fanned-out posts",
            f"{_lat(pv['fan-out']['arrived'])}, {pv['fan-out']['arrived']['failures']} missed",
        ),
        (
            "visible_merged",
            "Post to visible over HTTP, big-account posts (merged at read)",
            f"{_lat(pv['merged']['visible'])}, {pv['merged']['visible']['failures']} missed",
        ),
        (
            "fan_out",
            "Fan-out throughput",
            f"{fo['deliveries_per_s_median']:,.0f} deliveries/s median "
            f"({', '.join(f'{x:,.0f}' for x in fo['per_round'])}) timed from the first POST "
            f"sent to the last delivery; {_from_answer(fo)} timed from the last POST "
            f"answered; per round, {fo['posters']} simultaneous posts, each to all "
            f"{s['mid_followers']:,} followers: {fo['deliveries_per_round']:,} deliveries "
            f"(counted in Redis) of {fo['expected_per_round']:,} expected; every follower's "
            f"timeline live ({fo['made_live']:,} of the {fo['live_followers']:,} made live "
            "directly in Redis, empty, standing for people who read recently)",
        ),
        (
            "memory_stored",
            "Redis per timeline entry, as stored",
            f"{mem['as_stored']['bytes_per_entry']:.1f} B ({mem['as_stored']['encoding']}, "
            f"{mem['as_stored']['entries']} entries, "
            f"zset-max-listpack-entries={mem['setting_default']})",
        ),
        (
            "memory_listpack",
            f"Redis per entry, listpack (setting {mem['copy_with_listpack']['setting']})",
            f"{mem['copy_with_listpack']['bytes_per_entry']:.1f} B "
            f"({mem['copy_with_listpack']['encoding']})",
        ),
        (
            "warm",
            "First reads (rebuild from SQL, make live)",
            f"{warm['reads']:,} in {warm['seconds']:.1f} s = {warm['per_second']:,.0f}/s, "
            f"{warm['failures']} failed, {warm['unread']} not reached in time",
        ),
        (
            "anatomy",
            "One home read in-process (no HTTP), rendered (page cache off), steady state",
            _anatomy(r["anatomy"]),
        ),
    ]
    what_if = r.get("anatomy_without_merge")
    if what_if:
        rows.append(
            (
                "anatomy_without_merge",
                "The same, what-if: read-time merge of big accounts skipped (bench-only patch)",
                _anatomy(what_if),
            )
        )
    burst = r.get("anatomy_after_burst")
    if burst:
        rows.append(
            (
                "anatomy_after_burst",
                f"The same, for followers of a big account that just posted "
                f"{pl['big_account']['n'] + 1} times in a row",
                _anatomy(burst),
            )
        )
    kept = r.get("anatomy_kept")
    if kept:
        rows.append(
            (
                "anatomy_kept",
                "One home read in-process, the same page asked again (a kept page)",
                _anatomy(kept),
            )
        )
    up = r.get("uploads")
    if up:
        rows.append(
            (
                "uploads",
                f"Uploads during home reads ({up['file_bytes'] / 1e6:.1f} MB JPEG, "
                f"`POST /api/v1/media`, {up['concurrency']} clients one at a time)",
                f"{up['uploads_per_s']:.2f} uploads/s, {_lat(up['uploads'])}, "
                f"{up['uploads']['failures']} failed; home reads meanwhile "
                f"{up['reads_per_s']:,.0f} req/s, p50 {up['p50_ms']:.1f} ms, p99 "
                f"{up['p99_ms']:.1f} ms, {up['errors']} errors (without uploads: "
                f"{home['reads_per_s']:,.0f} req/s, p99 {home['p99_ms']:.1f} ms)",
            )
        )
    return rows


def _from_answer(fo: dict[str, Any]) -> str:
    """Median of the optimistic rate: as if nothing was delivered before the last
    POST of a round answered."""
    rates = sorted(
        r["deliveries"] / r["seconds_from_answer"] for r in fo["rounds"] if r["seconds_from_answer"]
    )
    return f"{rates[len(rates) // 2]:,.0f}/s" if rates else "n/a"


def _steady(x: dict[str, Any]) -> str:
    return (
        f"{x['reads_per_s']:,.0f} req/s, p50 {x['p50_ms']:.1f} ms, p90 {x['p90_ms']:.1f} ms, "
        f"p99 {x['p99_ms']:.1f} ms, max {x['max_ms']:.1f} ms, {x['errors']} errors"
    )


def _rendered(x: dict[str, Any]) -> str:
    """How many of the reads rendered (the rest were kept pages): older runs lack it."""
    if "kept_misses" not in x:
        return ""
    reads = x["kept_hits"] + x["kept_misses"]
    share = x["kept_misses"] / reads if reads else 0.0
    return f"; {x['kept_misses']:,.0f} of {reads:,.0f} reads rendered ({share:.1%})"


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
