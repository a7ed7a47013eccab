"""Measurements made from Python over HTTP (httpx) and, for fan-out, by watching Redis.

Every loop here is bounded twice: by a number of iterations and by a deadline.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from bench.graph import WORDS

HOME = "/api/v1/timelines/home"
STATUSES = "/api/v1/statuses"
_texts = itertools.count()


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Latencies:
    values_ms: list[float] = field(default_factory=list)
    failures: int = 0

    def summary(self) -> dict[str, float]:
        return {
            "n": len(self.values_ms),
            "failures": self.failures,
            "p50_ms": percentile(self.values_ms, 50),
            "p99_ms": percentile(self.values_ms, 99),
            "max_ms": max(self.values_ms, default=0.0),
        }


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def client(base: str, connections: int = 64) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=30)


def post_text(rng: random.Random) -> str:
    words = " ".join(rng.choices(WORDS, k=12))
    return f"Bench post {next(_texts)}: {words}."


# -- warming -------------------------------------------------------------------


@dataclass
class Warmed:
    reads: int
    seconds: float
    failures: int  # answered with an error
    unread: int  # not reached before the time limit
    mean_bytes: float
    mean_items: float
    tokens: list[str]  # the readers whose first read succeeded

    @property
    def per_second(self) -> float:
        return self.reads / self.seconds if self.seconds else 0.0


async def warm(base: str, tokens: Sequence[str], *, concurrency: int, limit_s: float) -> Warmed:
    """Read every reader's home once (a first read rebuilds it from SQL and makes it
    live, so fan-out reaches it from now on)."""
    queue = list(reversed(tokens))
    done: list[str] = []
    sizes: list[int] = []
    items: list[int] = []
    failures = 0
    started = time.monotonic()
    deadline = started + limit_s

    async def reader(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while queue and time.monotonic() < deadline:
            token = queue.pop()
            response = await http.get(HOME, params={"limit": 20}, headers=headers(token))
            if response.status_code != 200:
                failures += 1
                continue
            done.append(token)
            sizes.append(len(response.content))
            items.append(len(response.json()))

    async with client(base, concurrency) as http:
        await asyncio.gather(*(reader(http) for _ in range(concurrency)))
    seconds = time.monotonic() - started
    return Warmed(
        reads=len(sizes),
        seconds=seconds,
        failures=failures,
        unread=len(queue),
        mean_bytes=sum(sizes) / len(sizes) if sizes else 0.0,
        mean_items=sum(items) / len(items) if items else 0.0,
        tokens=done,
    )


# -- posting -------------------------------------------------------------------


async def post(http: httpx.AsyncClient, token: str, text: str) -> tuple[int, float]:
    """Post; returns (status id, milliseconds until the API answered)."""
    started = time.perf_counter()
    response = await http.post(STATUSES, data={"status": text}, headers=headers(token))
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"post failed: {response.status_code} {response.text[:200]}")
    return int(response.json()["id"]), elapsed


async def post_steadily(
    base: str, tokens: Sequence[str], *, rate: float, seconds: float, seed: int = 7
) -> tuple[Latencies, float]:
    """Posts from random readers, one at a time, at most ``rate`` a second, for
    ``seconds``; returns the latencies and the rate achieved (a slow server posts less,
    so the mix stays mostly reads)."""
    rng = random.Random(seed)
    result = Latencies()
    if rate <= 0:
        return result, 0.0
    started = time.monotonic()
    deadline = started + seconds
    async with client(base, 1) as http:
        for _ in range(int(rate * seconds) + 1):
            begun = time.monotonic()
            if begun >= deadline:
                break
            try:
                _, ms = await post(http, rng.choice(tokens), post_text(rng))
                result.values_ms.append(ms)
            except (RuntimeError, httpx.HTTPError):
                result.failures += 1
            await asyncio.sleep(max(0.0, begun + 1 / rate - time.monotonic()))
    elapsed = time.monotonic() - started
    return result, len(result.values_ms) / elapsed if elapsed else 0.0


async def post_latency_pair(
    base: str, small: str, large: str, *, rounds: int, limit_s: float, seed: int = 11
) -> tuple[Latencies, Latencies]:
    """Interleaved posts by a small and a large account, one at a time, same conditions."""
    rng = random.Random(seed)
    small_ms, large_ms = Latencies(), Latencies()
    deadline = time.monotonic() + limit_s
    async with client(base, 2) as http:
        for token in (small, large):  # untimed: connections, first-use caches
            await post(http, token, post_text(rng))
        for index in range(rounds):
            if time.monotonic() > deadline:
                break
            order = [(small, small_ms), (large, large_ms)]
            if index % 2:
                order.reverse()
            for token, into in order:
                _, ms = await post(http, token, post_text(rng))
                into.values_ms.append(ms)
    return small_ms, large_ms


async def kept_page_counts(base: str) -> tuple[float, float]:
    """The API processes' kept-page hits and misses so far (their ``/metrics``, summed
    over the processes): the misses of a phase are its reads that rendered."""
    async with httpx.AsyncClient(base_url=base) as http:
        page = (await http.get("/metrics")).text
    counts = dict.fromkeys(("roost_kept_page_hits_total", "roost_kept_page_misses_total"), 0.0)
    for line in page.splitlines():
        name, _, value = line.partition(" ")
        if name in counts:
            counts[name] += float(value)
    return counts["roost_kept_page_hits_total"], counts["roost_kept_page_misses_total"]
