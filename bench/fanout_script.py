"""Micro-benchmark behind a fan-out proposal: one Lua call per recipient (as
``RedisTimelineStore.deliver`` does today) against one call per batch of recipients.

    .venv/bin/python -m bench.fanout_script [--owners 1000] [--rounds 5]

Half of the owners are live (their head key exists), as in a real fan-out. Keys live
under a prefix of their own and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

from redis.asyncio import Redis

from roost.timelines.redis_store import DELIVER

# Demo only: builds keys inside the script (fine on one Redis, not on Redis Cluster).
DELIVER_BATCH = """
-- ARGV: prefix, status id, seq, cap, then owner ids
local delivered = 0
for i = 5, #ARGV do
  local timeline = ARGV[1] .. 'tl:{' .. ARGV[i] .. '}'
  if redis.call('EXISTS', timeline .. ':head') == 1
      and not redis.call('ZSCORE', timeline, ARGV[2]) then
    redis.call('ZADD', timeline, ARGV[3], ARGV[2])
    local excess = redis.call('ZCARD', timeline) - tonumber(ARGV[4])
    if excess > 0 then redis.call('ZREMRANGEBYRANK', timeline, 0, excess - 1) end
    delivered = delivered + 1
  end
end
return delivered
"""


async def compare(redis: Redis, prefix: str, owners: int, rounds: int) -> dict[str, float]:
    ids = list(range(1, owners + 1))
    async with redis.pipeline(transaction=False) as pipe:
        for owner in ids[::2]:
            pipe.set(f"{prefix}tl:{{{owner}}}:head", 1)
        await pipe.execute()
    per_owner = redis.register_script(DELIVER)
    batch = redis.register_script(DELIVER_BATCH)
    started = time.perf_counter()
    for number in range(rounds):
        async with redis.pipeline(transaction=False) as pipe:
            for owner in ids:
                key = f"{prefix}tl:{{{owner}}}"
                await per_owner(
                    keys=[key, f"{key}:boosts", f"{key}:head"],
                    args=[10**18 + number, 10**15, 800, "", 3600],
                    client=pipe,
                )
            await pipe.execute()
    one_by_one = owners * rounds / (time.perf_counter() - started)
    started = time.perf_counter()
    for number in range(rounds):
        await batch(keys=[], args=[prefix, 2 * 10**18 + number, 10**15, 800, *ids])
    batched = owners * rounds / (time.perf_counter() - started)
    return {"per_owner_calls_per_s": one_by_one, "one_call_per_batch_per_s": batched}


async def main(owners: int, rounds: int, url: str) -> None:
    redis = Redis.from_url(url)
    prefix = f"roost-bench-fanout:{os.getpid()}:"
    try:
        result = await compare(redis, prefix, owners, rounds)
    finally:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
        await redis.aclose()
    print(
        f"recipients/s: one script call per recipient (pipelined): "
        f"{result['per_owner_calls_per_s']:,.0f}; one call per batch of {owners}: "
        f"{result['one_call_per_batch_per_s']:,.0f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    asyncio.run(main(args.owners, args.rounds, args.redis))
