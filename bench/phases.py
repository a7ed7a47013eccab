"""The measurements of one run, in order, against servers that are already up.

Order matters: reads are measured (and profiled) before the big accounts post in
bursts, because a burst changes what every later read of their followers costs
(see ``after_burst``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import anatomy, delivery, measure, redis_memory, servers, uploads
from bench.graph import Population, token_for
from bench.load import run_wrk
from bench.profile import record, summarize
from roost.core.redis import Client
from roost.core.settings import Settings


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Context:
    args: argparse.Namespace
    pop: Population
    stack: servers.Stack
    api: servers.Process
    redis: Client  # one Redis, or a Redis Cluster
    prefix: str
    settings: Settings  # the servers' settings, for in-process reads
    folder: Path

    @property
    def url(self) -> str:
        assert self.api.url is not None
        return self.api.url


def followers_of(pop: Population, among: set[int]) -> dict[int, list[int]]:
    fans: dict[int, list[int]] = defaultdict(list)
    for source, target in pop.follows:
        if source in among:
            fans[target].append(source)
    return fans


async def wrk(ctx: Context, url: str, tokens_file: Path, rate: float = 0.0) -> Any:
    a = ctx.args
    return await run_wrk(
        url,
        tokens_file,
        duration=a.duration,
        connections=a.connections,
        threads=a.wrk_threads,
        rate=rate,
    )


def steady(result: Any) -> dict[str, Any]:
    return {
        "reads_per_s": result.per_second,
        "p50_ms": result.p50_ms,
        "p90_ms": result.p90_ms,
        "p99_ms": result.p99_ms,
        "max_ms": result.max_ms,
        "errors": result.errors,
    }


async def measure_all(ctx: Context) -> dict[str, Any]:
    a, pop = ctx.args, ctx.pop
    results: dict[str, Any] = {}
    readers = [token_for(r) for r in pop.readers]
    log(f"warming {len(readers):,} home timelines (first reads)")
    warmed = await measure.warm(ctx.url, readers, concurrency=16, limit_s=a.warm_limit)
    results["warm"] = {
        "reads": warmed.reads,
        "seconds": warmed.seconds,
        "per_second": warmed.per_second,
        "failures": warmed.failures,
        "unread": warmed.unread,
        "mean_items": warmed.mean_items,
    }
    log(f"warmed {warmed.reads:,} in {warmed.seconds:.1f} s; page {warmed.mean_bytes:,.0f} B")
    warm_set = set(warmed.tokens)
    live = {r for r in pop.readers if token_for(r) in warm_set}
    readers = warmed.tokens  # out of time? then the load reads only live timelines
    tokens_file = ctx.folder / "tokens.txt"
    tokens_file.write_text("\n".join(readers) + "\n")
    sample = random.Random(a.seed).sample(readers, min(200, len(readers)))

    results["anatomy"] = await anatomy.home_read_anatomy(ctx.settings, sample)
    results["anatomy_kept"] = await anatomy.home_read_anatomy(ctx.settings, sample, kept=True)
    with anatomy.without_big_merge():
        results["anatomy_without_merge"] = await anatomy.home_read_anatomy(ctx.settings, sample)
    log(
        f"one read in-process: {results['anatomy']['ms_per_read']:.2f} ms, "
        f"{results['anatomy_kept']['ms_per_read']:.2f} ms kept, "
        f"{results['anatomy_without_merge']['ms_per_read']:.2f} ms without the big merge"
    )

    body = round(warmed.mean_bytes)
    ceiling = servers.start_ceiling(ctx.stack, servers.free_port(), a.api_workers, body)
    await asyncio.to_thread(servers.wait_healthy, ceiling)
    await asyncio.to_thread(servers.wait_log, ceiling, "startup complete", a.api_workers)
    assert ceiling.url is not None
    log(f"ceiling: {a.duration:g} s of wrk, {body:,} B body")
    top = await wrk(ctx, ceiling.url, tokens_file)
    log(f"ceiling: {a.duration:g} s at {a.read_rate:g} reads/s")
    results["ceiling_steady"] = steady(await wrk(ctx, ceiling.url, tokens_file, a.read_rate))
    ctx.stack.stop(ceiling)
    results["ceiling"] = {
        "reads_per_s": top.per_second,
        "p50_ms": top.p50_ms,
        "p99_ms": top.p99_ms,
        "errors": top.errors,
        "body_bytes": body,
    }

    log(f"home reads: {a.duration:g} s of wrk, with posts (at most {a.post_rate:g}/s)")
    home, (posts, post_rate) = await asyncio.gather(
        wrk(ctx, ctx.url, tokens_file),
        measure.post_steadily(ctx.url, readers, rate=a.post_rate, seconds=a.duration),
    )
    results["home"] = {
        "reads_per_s": home.per_second,
        "p50_ms": home.p50_ms,
        "p90_ms": home.p90_ms,
        "p99_ms": home.p99_ms,
        "errors": home.errors,
        "mean_body_bytes": warmed.mean_bytes,
        "posts_per_s": post_rate,
        "posts": posts.summary(),
    }
    log(f"home: {home.per_second:,.0f}/s (ceiling {top.per_second:,.0f}/s)")

    log(f"home reads: {a.duration:g} s at {a.read_rate:g}/s, with posts")
    before = await measure.kept_page_counts(ctx.url)
    paced, (paced_posts, paced_post_rate) = await asyncio.gather(
        wrk(ctx, ctx.url, tokens_file, a.read_rate),
        measure.post_steadily(ctx.url, readers, rate=a.post_rate, seconds=a.duration),
    )
    after = await measure.kept_page_counts(ctx.url)
    hits, misses = after[0] - before[0], after[1] - before[1]
    results["home_steady"] = steady(paced) | {
        "posts_per_s": paced_post_rate,
        "posts": paced_posts.summary(),
        "kept_hits": hits,
        "kept_misses": misses,
    }
    log(
        f"home at {paced.per_second:,.0f}/s: p50 {paced.p50_ms:.1f} ms, p99 {paced.p99_ms:.1f} "
        f"ms (ceiling p99 {results['ceiling_steady']['p99_ms']:.1f} ms)"
    )

    if a.profile:
        log(f"profiling the API workers: {a.duration:g} s of home reads")
        files, profiled = await asyncio.gather(
            record(ctx.api.children(), ctx.folder, a.duration), wrk(ctx, ctx.url, tokens_file)
        )
        results["profile"] = summarize(files) | {"reads_per_s": profiled.per_second}

    if a.upload_concurrency:
        results["uploads"] = await uploads_during_reads(ctx, tokens_file, readers)

    fans = followers_of(pop, live)
    results["fan_out"] = await fan_out(ctx)
    results["post_to_visible"] = await visibility(ctx, fans)

    log("post latency: 0-follower and big account, interleaved")
    big = pop.big[0] if pop.big else pop.actives[0]
    small, large = await measure.post_latency_pair(
        ctx.url, token_for(pop.quiet), token_for(big), rounds=a.post_rounds, limit_s=120
    )
    results["post_latency"] = {"zero_followers": small.summary(), "big_account": large.summary()}

    # The big account has just posted post_rounds times within a minute.
    big_fans = [token_for(f) for f in fans.get(big, [])][:200]
    if big_fans:
        results["anatomy_after_burst"] = await anatomy.home_read_anatomy(ctx.settings, big_fans)
        log(f"a read after the burst: {results['anatomy_after_burst']['ms_per_read']:.2f} ms")

    log("Redis memory per entry")
    owner, _ = await redis_memory.fullest_timeline(ctx.redis, ctx.prefix, sorted(live))
    results["redis_memory"] = await redis_memory.measure(ctx.redis, ctx.prefix, owner)
    return results


async def uploads_during_reads(
    ctx: Context, tokens_file: Path, readers: list[str]
) -> dict[str, Any]:
    """Home reads (wrk, as in the home phase, without posts) while photos are uploaded."""
    a = ctx.args
    data = await asyncio.to_thread(uploads.photo, a.upload_bytes)
    log(
        f"uploads: {a.duration:g} s of wrk while {a.upload_concurrency} clients upload a "
        f"{len(data) / 1e6:.1f} MB JPEG, one at a time each"
    )
    reads, (done, rate) = await asyncio.gather(
        wrk(ctx, ctx.url, tokens_file),
        uploads.upload_steadily(
            ctx.url, readers, data, concurrency=a.upload_concurrency, seconds=a.duration
        ),
    )
    log(f"uploads: {rate:.2f}/s; home reads meanwhile {reads.per_second:,.0f}/s")
    return {
        "file_bytes": len(data),
        "concurrency": a.upload_concurrency,
        "uploads_per_s": rate,
        "uploads": done.summary(),
        "reads_per_s": reads.per_second,
        "p50_ms": reads.p50_ms,
        "p99_ms": reads.p99_ms,
        "errors": reads.errors,
    }


async def fan_out(ctx: Context) -> dict[str, Any]:
    """Deliveries per second while the fan-out posters post at once, each to every
    follower (``Shape.mid_followers``, all live): a throughput, not a latency."""
    a, pop = ctx.args, ctx.pop
    fans = followers_of(pop, set(pop.accounts))
    posters = [m for m in pop.mid if fans.get(m)]
    owners = sorted({f for m in posters for f in fans[m]})
    # Every follower of the posters "read recently", so every one receives their posts.
    made_live = await delivery.make_live(
        ctx.redis, ctx.prefix, owners, cap=ctx.settings.timeline_cap
    )
    log(f"fan-out: {made_live:,} more timelines made live, {len(owners):,} in all")
    log(f"fan-out: {a.fanout_rounds} rounds of {len(posters)} simultaneous posts")
    rounds = [
        await delivery.fan_out_round(
            ctx.url,
            ctx.redis,
            ctx.prefix,
            [(token_for(m), fans[m]) for m in posters],
            seed=a.seed + number,
        )
        for number in range(a.fanout_rounds)
    ]
    per_round = [r.per_second for r in rounds]
    return {
        "posters": len(posters),
        "live_followers": len(owners),
        "made_live": made_live,
        "deliveries_per_round": rounds[0].deliveries if rounds else 0,
        "expected_per_round": rounds[0].expected if rounds else 0,
        "per_round": per_round,
        "deliveries_per_s_median": statistics.median(per_round) if per_round else 0.0,
        "rounds": [vars(r) | {"from_answer_per_s": r.per_second_from_answer} for r in rounds],
        "counted": "live follower timelines holding each post, counted in Redis (ZSCORE), "
        "over the time from the first POST sent to the last one arriving at its "
        "highest-id live follower (delivered last); every follower of the posters is "
        "live, most of them made live directly in Redis, empty, before the rounds",
    }


async def visibility(ctx: Context, fans: dict[int, list[int]]) -> dict[str, Any]:
    a, pop = ctx.args, ctx.pop
    rng = random.Random(a.seed)

    def sample(poster: int) -> list[tuple[int, str]]:
        chosen = rng.sample(fans[poster], min(a.visible_sample, len(fans[poster])))
        return [(f, token_for(f)) for f in chosen]

    popular = [p for p in [*pop.mid, *pop.actives[:10]] if fans.get(p)]
    cases = [
        delivery.VisibilityCase(poster=token_for(p), followers=sample(p), kind="fan-out")
        for p in (popular[i % len(popular)] for i in range(a.visible_posts if popular else 0))
    ]
    merged = "merged" if pop.shape.big_followers > a.fanout_limit else "fan-out"
    cases += [
        delivery.VisibilityCase(poster=token_for(b), followers=sample(b), kind=merged)
        for b in pop.big
        if fans.get(b)
    ]
    log(f"post to visible: {len(cases)} posts, {a.visible_sample} followers each")
    seen = await delivery.post_to_visible(ctx.url, ctx.redis, ctx.prefix, cases)
    every = measure.Latencies()
    out: dict[str, Any] = {}
    for kind in ("fan-out", "merged"):
        clocks = seen.get(kind, {"visible": measure.Latencies(), "arrived": measure.Latencies()})
        out[kind] = {name: latencies.summary() for name, latencies in clocks.items()}
        every.values_ms += clocks["visible"].values_ms
        every.failures += clocks["visible"].failures
    out["all"] = every.summary()
    return out
