"""How fast a post reaches its followers: post-to-visible and fan-out throughput.

Two clocks, both started when the POST is sent:

- *in the timeline*: the post's id is in the follower's Redis timeline (``ZSCORE``
  polled every 2 ms; cheap, and it adds no load to the API);
- *visible*: the follower's ``GET /api/v1/timelines/home?min_id=<their newest
  cursor>`` returns it (polled over HTTP, one request in flight per follower, every
  ``interval``): what a client sees, read latency included.

A big account's post is never delivered (it is merged in when a follower reads), so
for those only the HTTP clock applies.

Every Redis read here names one key, alone or in a non-transactional pipeline, so it
works the same on a Redis Cluster (the client sends each master its share).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import httpx

from bench.measure import HOME, Latencies, client, headers, post, post_text
from roost.core.db import Database
from roost.core.redis import Client
from roost.timelines.redis_store import RedisTimelineStore

REDIS_POLL_S = 0.002


def timeline_key(prefix: str, owner: int) -> str:
    return f"{prefix}tl:{{{owner}}}"


@dataclass
class VisibilityCase:
    poster: str  # token
    followers: list[tuple[int, str]]  # (account id, token) of sampled followers
    kind: str  # "fan-out" (delivered by a worker) or "merged" (at read time)


async def _prev_cursor(http: httpx.AsyncClient, token: str) -> str | None:
    """The ``min_id`` of the newest entry the follower has seen (the Link rel=prev)."""
    response = await http.get(HOME, params={"limit": 1}, headers=headers(token))
    prev = response.links.get("prev")
    if not prev:
        return None
    return httpx.URL(prev["url"]).params.get("min_id")


async def _visible(
    http: httpx.AsyncClient,
    token: str,
    min_id: str | None,
    status_id: int,
    started: float,
    *,
    interval: float,
    limit_s: float,
) -> float | None:
    wanted = str(status_id)
    params: dict[str, Any] = {"limit": 40}
    if min_id is not None:
        params["min_id"] = min_id
    for _ in range(int(limit_s / interval) + 1):
        response = await http.get(HOME, params=params, headers=headers(token))
        if response.status_code == 200 and any(s["id"] == wanted for s in response.json()):
            return (time.perf_counter() - started) * 1000
        if time.perf_counter() - started > limit_s:
            return None
        await asyncio.sleep(interval)
    return None


async def _arrived(
    redis: Client, key: str, status_id: int, started: float, *, limit_s: float
) -> float | None:
    for _ in range(int(limit_s / REDIS_POLL_S) + 1):
        if await redis.zscore(key, status_id) is not None:
            return (time.perf_counter() - started) * 1000
        if time.perf_counter() - started > limit_s:
            return None
        await asyncio.sleep(REDIS_POLL_S)
    return None


def _record(into: Latencies, values: Sequence[float | None]) -> None:
    for ms in values:
        if ms is None:
            into.failures += 1
        else:
            into.values_ms.append(ms)


async def post_to_visible(
    base: str,
    redis: Client,
    prefix: str,
    cases: Sequence[VisibilityCase],
    *,
    interval: float = 0.05,
    limit_s: float = 10.0,
    seed: int = 13,
) -> dict[str, dict[str, Latencies]]:
    """For each case, one post; returns ``{kind: {"visible": ..., "arrived": ...}}``."""
    rng = random.Random(seed)
    results: dict[str, dict[str, Latencies]] = {}
    async with client(base, 64) as http:
        for case in cases:
            into = results.setdefault(case.kind, {"visible": Latencies(), "arrived": Latencies()})
            tokens = [token for _, token in case.followers]
            cursors = await asyncio.gather(*(_prev_cursor(http, t) for t in tokens))
            started = time.perf_counter()
            status_id, _ = await post(http, case.poster, post_text(rng))
            watch = [
                _visible(http, t, c, status_id, started, interval=interval, limit_s=limit_s)
                for t, c in zip(tokens, cursors, strict=True)
            ]
            if case.kind == "fan-out":
                watch += [
                    _arrived(
                        redis, timeline_key(prefix, owner), status_id, started, limit_s=limit_s
                    )
                    for owner, _ in case.followers
                ]
            seen = await asyncio.gather(*watch)
            _record(into["visible"], seen[: len(tokens)])
            _record(into["arrived"], seen[len(tokens) :])
    return results


# -- fan-out throughput ------------------------------------------------------------


@dataclass
class FanOutRound:
    posts: int
    deliveries: int  # follower timelines that hold the post, counted in Redis
    expected: int  # live followers
    seconds_from_send: float
    seconds_from_answer: float

    @property
    def per_second(self) -> float:
        return self.deliveries / self.seconds_from_send if self.seconds_from_send else 0.0

    @property
    def per_second_from_answer(self) -> float:
        """Optimistic: as if nothing was delivered before the last POST answered."""
        s = self.seconds_from_answer
        return self.deliveries / s if s else 0.0


async def live_owners(redis: Client, prefix: str, owners: Sequence[int]) -> list[int]:
    """Which of these timelines are live (their head key exists)."""
    async with redis.pipeline(transaction=False) as pipe:
        for owner in owners:
            pipe.exists(f"{timeline_key(prefix, owner)}:head")
        flags = await pipe.execute()
    return [owner for owner, flag in zip(owners, flags, strict=True) if flag]


async def make_live(redis: Client, prefix: str, owners: Sequence[int], *, cap: int) -> int:
    """Make the home timelines of these owners live, empty, straight through Roost's
    store (``fill(owner, [])``, the first step of a rebuild); returns how many were
    not live yet. They stand for people who read recently: Roost delivers only to
    live timelines, and making 10,000 live with first reads over HTTP (each a
    rebuild from SQL) would take minutes. Empty, they are the cheap case for a
    delivery (a small listpack, nothing to trim at the cap), as in
    bench/fanout_script.py."""
    store = RedisTimelineStore(redis, cast(Database, None), prefix=prefix, cap=cap)
    live = set(await live_owners(redis, prefix, owners))
    idle = [owner for owner in owners if owner not in live]
    for start in range(0, len(idle), 100):  # a hundred script calls in flight at a time
        await asyncio.gather(*(store.fill(owner, []) for owner in idle[start : start + 100]))
    return len(idle)


async def _holding(redis: Client, prefix: str, owners: Sequence[int], status_id: int) -> int:
    async with redis.pipeline(transaction=False) as pipe:
        for owner in owners:
            pipe.zscore(timeline_key(prefix, owner), status_id)
        scores = await pipe.execute()
    return sum(1 for s in scores if s is not None)


async def fan_out_round(
    base: str,
    redis: Client,
    prefix: str,
    posters: Sequence[tuple[str, Sequence[int]]],
    *,
    limit_s: float = 60.0,
    seed: int = 17,
) -> FanOutRound:
    """Post from each poster at once; watch the live follower with the highest id
    (fan-out delivers in id order, so it is the last to receive), then count in Redis
    how many live followers' timelines hold each post."""
    rng = random.Random(seed)
    lives = [await live_owners(redis, prefix, followers) for _, followers in posters]
    async with client(base, len(posters) + 1) as http:
        started = time.perf_counter()
        answers = await asyncio.gather(*(post(http, t, post_text(rng)) for t, _ in posters))
    answered = time.perf_counter()
    arrivals = await asyncio.gather(
        *(
            _arrived(redis, timeline_key(prefix, max(live)), status_id, started, limit_s=limit_s)
            for (status_id, _), live in zip(answers, lives, strict=True)
            if live
        )
    )
    last = started + max((ms or limit_s * 1000 for ms in arrivals), default=0.0) / 1000
    deliveries = 0
    for (status_id, _), live in zip(answers, lives, strict=True):
        deliveries += await _holding(redis, prefix, live, status_id)
    return FanOutRound(
        posts=len(posters),
        deliveries=deliveries,
        expected=sum(len(live) for live in lives),
        seconds_from_send=last - started,
        seconds_from_answer=max(0.0, last - answered),
    )
