"""Fan-out into Redis home timelines: ``RedisTimelineStore.deliver`` (one script call
per batch of recipients) against the way it worked before (one script call per
recipient, pipelined), on the same Redis, round by round in turn.

    .venv/bin/python -m bench.fanout_script [--owners 10000] [--batch 1000] [--rounds 9]

A round fans one new status out to every owner, in batches of ``--batch`` as the
``fan_out`` job does; ``--live`` of the owners have a live timeline (head key
present), the rest are skipped inside the script, as in a real fan-out. The third way
is ``fanout.deliver``: the store's deliver plus the stream event to each owner the
status was new to (Redis pub/sub, nobody listening). A fourth way splits each batch by
slot (one script call per slot, one pipeline). ``--cluster`` runs on a Redis Cluster
(``--redis`` naming a node), where the store's own way is one call per node. Rates are
recipients per second, the median of the rounds. Keys live under a prefix of their own
and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import cast

from redis.asyncio import Redis, RedisCluster
from redis.utils import HIREDIS_AVAILABLE

from roost.core.db import Database
from roost.core.redis import close_redis, connect_redis
from roost.core.settings import Settings
from roost.runtime import Runtime
from roost.streaming.bus import RedisBus
from roost.timelines import fanout
from roost.timelines.cursors import now_seq
from roost.timelines.redis_store import RedisTimelineStore
from roost.timelines.store import Delivery

# The per-recipient script ``RedisTimelineStore.deliver`` ran before, for comparison.
PER_RECIPIENT = """
-- KEYS: timeline, boosts, head. ARGV: status id, now seq, cap, original id or '', ttl
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local original = ARGV[4]
if original ~= '' and (redis.call('ZSCORE', KEYS[1], original)
    or redis.call('ZSCORE', KEYS[2], original)) then return 0 end
local seq = math.max(tonumber(redis.call('GET', KEYS[3])) + 1, tonumber(ARGV[2]))
redis.call('SET', KEYS[3], string.format('%d', seq), 'EX', ARGV[5])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
if original ~= '' then redis.call('ZADD', KEYS[2], seq, original) end
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. oldest[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 1
"""

Deliver = Callable[[Sequence[int], Delivery], Awaitable[list[int]]]


@dataclass
class FanOutRuntime:
    """What ``fanout.deliver`` uses of a Runtime."""

    timelines: RedisTimelineStore
    bus: RedisBus


def per_recipient(store: RedisTimelineStore) -> Deliver:
    """``RedisTimelineStore.deliver`` as it was: one script call per owner, pipelined."""
    script = store.redis.register_script(PER_RECIPIENT)

    async def deliver(owner_ids: Sequence[int], delivery: Delivery) -> list[int]:
        owners = sorted(set(owner_ids) - {delivery.reblog_of_author_id})
        original = str(delivery.reblog_of_id) if delivery.reblog_of_id else ""
        now = now_seq()
        async with store.redis.pipeline(transaction=False) as pipe:
            for owner in owners:
                await script(
                    keys=store.keys(owner),
                    args=[delivery.status_id, now, store.cap, original, store.ttl],
                    client=pipe,
                )
            results = await pipe.execute()
        return [owner for owner, result in zip(owners, results, strict=True) if result == 1]

    return deliver


def with_streams(store: RedisTimelineStore, prefix: str) -> Deliver:
    runtime = cast(Runtime, FanOutRuntime(store, RedisBus(store.redis, prefix)))

    async def deliver(owner_ids: Sequence[int], delivery: Delivery) -> list[int]:
        await fanout.deliver(runtime, list(owner_ids), delivery)
        return []

    return deliver


async def fan_out_rate(deliver: Deliver, owners: list[int], batch: int, status_id: int) -> float:
    delivery = Delivery(status_id=status_id, author_id=1)
    started = time.perf_counter()
    for start in range(0, len(owners), batch):
        await deliver(owners[start : start + batch], delivery)
    return len(owners) / (time.perf_counter() - started)


async def compare(
    redis: Redis | RedisCluster, prefix: str, args: argparse.Namespace
) -> dict[str, list[float]]:
    owners = list(range(10**17, 10**17 + args.owners))
    # Live and idle timelines mixed evenly through every batch.
    live = [o for n, o in enumerate(owners) if int((n + 1) * args.live) > int(n * args.live)]
    store = RedisTimelineStore(redis, cast(Database, None), prefix=prefix, cap=args.cap)
    async with redis.pipeline(transaction=False) as pipe:
        for owner in live:
            pipe.set(store.keys(owner)[2], 1, ex=3600)
        await pipe.execute()
    by_slot = RedisTimelineStore(redis, cast(Database, None), prefix=prefix, cap=args.cap)
    by_slot.grouping = "slot"
    ways = {
        "per recipient (before)": per_recipient(store),
        "batched deliver": store.deliver,
        "batched deliver + stream events": with_streams(store, prefix),
    }
    if args.cluster:  # the script of before declares keys of many slots in one pipeline
        del ways["per recipient (before)"]
    ways["split by slot"] = by_slot.deliver
    rates: dict[str, list[float]] = {name: [] for name in ways}
    status_id = 2**60
    for number in range(args.rounds + 1):  # the first round warms up and is dropped
        for name, deliver in ways.items():
            status_id += 1
            rate = await fan_out_rate(deliver, owners, args.batch, status_id)
            if number:
                rates[name].append(rate)
    return rates


async def main(args: argparse.Namespace) -> None:
    redis = connect_redis(Settings(redis_url=args.redis, redis_cluster=args.cluster))
    assert redis is not None
    prefix = f"roost-bench-fanout:{os.getpid()}:"
    try:
        rates = await compare(redis, prefix, args)
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
        await close_redis(redis)
    print(
        f"{'Redis Cluster' if args.cluster else 'one Redis'}: "
        f"{args.owners:,} owners ({args.live:.0%} live) in batches of {args.batch:,}, "
        f"median of {args.rounds} rounds, reply parser "
        f"{'hiredis' if HIREDIS_AVAILABLE else 'Python'}; recipients/s:"
    )
    for name, values in rates.items():
        print(
            f"  {name:32} {statistics.median(values):>10,.0f}"
            f"   (min {min(values):,.0f}, max {max(values):,.0f})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--live", type=float, default=0.5, help="fraction of live timelines")
    parser.add_argument("--cap", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--cluster", action="store_true", help="--redis names a cluster node")
    asyncio.run(main(parser.parse_args()))
