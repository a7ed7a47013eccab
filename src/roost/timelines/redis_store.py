"""Home timelines in Redis: the scaled store (ROOST_REDIS_URL set).

Layout, per owner, all keys hash-tagged ``{owner}`` so one timeline lives in one
Redis Cluster slot:

    {prefix}tl:{owner}          sorted set: member = status id, score = seq
    {prefix}tl:{owner}:boosts   sorted set: member = boosted original id, score = seq
    {prefix}tl:{owner}:head     the last seq handed out; its presence marks the
                                timeline as live (materialized)

``seq`` is assigned inside a Lua script, so Redis (single-threaded) hands out
cursors of one timeline in the order the entries become visible: the same
exactly-once property as the SQL store. Scores stay below 2**53, exact as doubles.
Only live timelines receive deliveries; a timeline that is missing (never read,
idle past its TTL, or Redis lost) is rebuilt from SQL on its next read.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from redis.asyncio import Redis

from roost.timelines.store import Delivery, Entry, now_seq

DELIVER = """
-- KEYS: timeline, boosts, head. ARGV: status id, now seq, cap, original id or '', ttl
if redis.call('EXISTS', KEYS[3]) == 0 then return -1 end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local original = ARGV[4]
if original ~= '' and (redis.call('ZSCORE', KEYS[1], original)
    or redis.call('ZSCORE', KEYS[2], original)) then return 0 end
local last = tonumber(redis.call('GET', KEYS[3]))
local seq = math.max(last + 1, tonumber(ARGV[2]))
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

FILL = """
-- KEYS: timeline, boosts, head. ARGV: now seq, cap, ttl, then triples
-- (status id, seq, original id or '') to add without overwriting deliveries.
for i = 4, #ARGV, 3 do
  redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], ARGV[i])
  if ARGV[i + 2] ~= '' then redis.call('ZADD', KEYS[2], 'NX', ARGV[i + 1], ARGV[i + 2]) end
end
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
"""


class RedisTimelineStore:
    def __init__(
        self, redis: Redis, *, prefix: str = "roost:", cap: int = 800, ttl_days: int = 7
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.cap = cap
        self.ttl = ttl_days * 86400
        self._deliver = redis.register_script(DELIVER)
        self._fill = redis.register_script(FILL)

    def keys(self, owner_id: int) -> tuple[str, str, str]:
        timeline = f"{self.prefix}tl:{{{owner_id}}}"
        return timeline, f"{timeline}:boosts", f"{timeline}:head"

    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> int:
        owners = set(owner_ids)
        if delivery.reblog_of_author_id is not None:
            owners.discard(delivery.reblog_of_author_id)
        if not owners:
            return 0
        original = str(delivery.reblog_of_id) if delivery.reblog_of_id else ""
        now = now_seq()
        async with self.redis.pipeline(transaction=False) as pipe:
            for owner in sorted(owners):
                await self._deliver(
                    keys=self.keys(owner),
                    args=[delivery.status_id, now, self.cap, original, self.ttl],
                    client=pipe,
                )
            results = await pipe.execute()
        return sum(1 for r in results if r == 1)

    async def is_live(self, owner_id: int) -> bool:
        return bool(await self.redis.exists(self.keys(owner_id)[2]))

    async def fill(self, owner_id: int, entries: Sequence[tuple[int, int, int | None]]) -> None:
        """Materialize a timeline from (status id, seq, boosted original) triples."""
        args: list[str | int] = [now_seq(), self.cap, self.ttl]
        for status_id, seq, original in entries:
            args += [status_id, seq, original or ""]
        await self._fill(keys=self.keys(owner_id), args=args)

    @contextlib.asynccontextmanager
    async def rebuild_lock(self, owner_id: int, wait: float = 5.0) -> AsyncIterator[bool]:
        """Single flight: yields True to the one caller that should rebuild; the others
        wait until it is done (or ``wait`` passes) and get False."""
        lock = f"{self.keys(owner_id)[0]}:rebuilding"
        if await self.redis.set(lock, 1, nx=True, ex=30):
            try:
                yield True
            finally:
                await self.redis.delete(lock)
            return
        deadline = asyncio.get_running_loop().time() + wait
        while await self.redis.exists(lock) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        yield False

    async def page(
        self,
        owner_id: int,
        *,
        max_seq: int | None = None,
        since_seq: int | None = None,
        min_seq: int | None = None,
        limit: int = 20,
    ) -> list[Entry]:
        timeline = self.keys(owner_id)[0]
        high = f"({max_seq}" if max_seq is not None else "+inf"
        low_bound = min_seq if min_seq is not None else since_seq
        low = f"({low_bound}" if low_bound is not None else "-inf"
        if min_seq is not None:
            rows = await self.redis.zrangebyscore(
                timeline, low, high, start=0, num=limit, withscores=True
            )
            rows.reverse()
        else:
            rows = await self.redis.zrevrangebyscore(
                timeline, high, low, start=0, num=limit, withscores=True
            )
        pairs: list[tuple[bytes, float]] = rows  # type: ignore[assignment]
        return [Entry(seq=int(score), status_id=int(member)) for member, score in pairs]

    async def seq_of(self, owner_id: int, status_id: int) -> int | None:
        timeline, boosts, _ = self.keys(owner_id)
        score = await self.redis.zscore(timeline, status_id)
        if score is None:
            score = await self.redis.zscore(boosts, status_id)
        return int(score) if score is not None else None

    async def remove_statuses(self, owner_id: int, status_ids: Sequence[int]) -> None:
        if status_ids:
            timeline, boosts, _ = self.keys(owner_id)
            await self.redis.zrem(timeline, *status_ids)
            await self.redis.zrem(boosts, *status_ids)
