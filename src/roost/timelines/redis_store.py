"""Home timelines in Redis: the scaled store (ROOST_REDIS_URL set).

Layout, per owner, every key hash-tagged ``{owner}`` so one timeline lives in one
Redis Cluster slot:

    {prefix}tl:{owner}             sorted set: member = status id, score = seq
    {prefix}tl:{owner}:boosts      sorted set: member = boosted original id, score = seq
    {prefix}tl:{owner}:head        the last seq handed out; present = the timeline is live
    {prefix}tl:{owner}:merged      hash: big account id -> 'newest merged id:token seen'
    {prefix}tl:{owner}:rebuilding  the single-flight lock of a rebuild
    {prefix}tl:{owner}:pages       the owner's kept home pages (page_cache.py owns it)
    {prefix}posted:{author}        a fresh random token set after each post commits

List timelines are a second store of this class keyed by list id, with the key
prefix ``{prefix}list:`` (``{prefix}list:tl:{list}``, ...): the same layout, one
slot per list. Both read the one ``{prefix}posted:{author}`` token of an author.

``seq`` is assigned inside a Lua script, so Redis (single-threaded) hands out the
cursors of one timeline in the order its entries become visible: the same
exactly-once property as the SQL store. Scores stay below 2**53, exact as doubles;
members are status ids, which Redis keeps as integers in a listpack.

Only live timelines receive deliveries (an idle or lost timeline costs nothing); a
timeline that is not live is rebuilt from SQL on its next read (rebuild.py).

A fan-out delivers one status to a batch of owners (``fanout_batch``) with ONE script
call: one round trip and one script run instead of one per owner, ~3x the deliveries
per second (bench/fanout_script.py); a call of 1,000 owners keeps Redis busy ~4-5 ms.
The call sends the owners' ids as one argument and the script builds their keys:
naming 3,000 keys in KEYS cost the worker more CPU (redis-py packs every argument in
Python) than the script cost Redis. On a Redis Cluster (ROOST_REDIS_CLUSTER) the batch
is grouped by the master that holds each owner's slot (an owner's keys share the slot
of ``{owner}``), and the script runs once per master, all calls in one pipeline
(``Script.run_each``: a round trip per node, the nodes at once). Each call declares one
owner's keys, which route it, and touches the others of its node: the script's
``allow-cross-slot-keys`` flag (Redis 7) allows keys of several slots, and Redis refuses
any key its node does not hold. A group whose slot moved since the client read the slot
map (resharding, a failover) is refused that way before the script writes anything (it
reads every head first) and is delivered again split by slot, each call with all its
keys declared (redirected by MOVED/ASK like any command). Split by slot from the start,
a batch of 1,000 owners is ~1,000 calls: ~5x slower (docs/performance.md, "Redis
Cluster"). On one Redis: one call.
Scripts run by EVALSHA; Redis is sent the script text only when it answers NOSCRIPT
(first use, restart, SCRIPT FLUSH).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Sequence
from typing import Literal

from redis.asyncio import RedisCluster
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import select

from roost.core.db import Database
from roost.core.paging import Window
from roost.core.redis import Client, group_by_node, group_by_slot, is_cluster
from roost.core.scripts import Script
from roost.core.versions import version_key
from roost.statuses.models import Status
from roost.timelines.cursors import now_seq
from roost.timelines.store import Added, Delivery, Entry, Fill, MergeMark

# Shared by DELIVER and DELIVER_EACH: the rules of one delivery into one live timeline.
_DELIVERY_RULES = """
-- Put ``status`` into a live timeline whose head is ``last``; returns its cursor, or nil
-- if it was there already (NX: it keeps its place) or, for a boost, the original or
-- another boost of it is.
local function insert(timeline, boosts, last, status, original, now)
  if original ~= '' and (redis.call('ZSCORE', timeline, original)
      or redis.call('ZSCORE', boosts, original)) then return nil end
  local seq = string.format('%d', math.max(last + 1, now))
  if redis.call('ZADD', timeline, 'NX', seq, status) == 0 then return nil end
  if original ~= '' then redis.call('ZADD', boosts, seq, original) end
  return seq
end
-- After inserting up to cursor ``seq``: move the head, trim to the cap (the boosts of
-- trimmed entries with them), keep the timeline as long as its head.
local function settle(timeline, boosts, head, seq, cap, ttl)
  redis.call('SET', head, seq, 'EX', ttl)
  local excess = redis.call('ZCARD', timeline) - cap
  if excess > 0 then
    redis.call('ZREMRANGEBYRANK', timeline, 0, excess - 1)
    local oldest = redis.call('ZRANGE', timeline, 0, 0, 'WITHSCORES')
    redis.call('ZREMRANGEBYSCORE', boosts, '-inf', '(' .. oldest[2])
  end
  redis.call('EXPIRE', timeline, ttl)
  redis.call('EXPIRE', boosts, ttl)
end
"""

DELIVER = (
    # Redis 7's flag for a script that touches keys of several slots of one node (a
    # cluster's batch grouped by node); on one Redis it changes nothing.
    "#!lua flags=allow-cross-slot-keys\n"
    + _DELIVERY_RULES
    + """
-- One status into many timelines. KEYS: on a Redis Cluster, keys of one owner of the
-- batch (they route the call to its node) or of every owner (a batch of one slot);
-- none on one Redis. ARGV: key prefix, status id, now seq, cap, original id or '',
-- ttl, then the owners' ids joined by ','. Returns the (1-based) numbers of the owners
-- it was new to: the live ones (head present) where ``insert`` put it; then those of
-- them with kept home pages (their index, page_cache.py, lies in the timeline's slot).
local prefix, status, now, cap, original, ttl =
  ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
-- Every head is read before anything is written: on a cluster, a key of a slot this
-- node does not hold (the client's slot map was stale) fails the call here, unchanged.
local owners, heads = {}, {}
for owner in string.gmatch(ARGV[7], '[^,]+') do
  owners[#owners + 1] = owner
  heads[#owners] = redis.call('GET', prefix .. 'tl:{' .. owner .. '}:head')
end
local added, paged = {}, {}
for number, owner in ipairs(owners) do
  local last = heads[number]
  if last then
    local timeline = prefix .. 'tl:{' .. owner .. '}'
    local boosts, head = timeline .. ':boosts', timeline .. ':head'
    local seq = insert(timeline, boosts, tonumber(last), status, original, now)
    if seq then
      settle(timeline, boosts, head, seq, cap, ttl)
      added[#added + 1] = number
      if redis.call('EXISTS', timeline .. ':pages') == 1 then paged[#paged + 1] = number end
    end
  end
end
return {added, paged}
"""
)

DELIVER_EACH = (
    _DELIVERY_RULES
    + """
-- Many statuses into ONE live timeline, in order (a read-time merge of a big account's
-- posts). KEYS: timeline, boosts, head. ARGV: now seq, cap, ttl, then pairs (status id,
-- original id or ''). Returns how many were new.
local timeline, boosts, head = KEYS[1], KEYS[2], KEYS[3]
local now, cap, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local last = redis.call('GET', head)
if not last then return 0 end
local seq
local added = 0
for i = 4, #ARGV, 2 do
  local new = insert(timeline, boosts, tonumber(seq or last), ARGV[i], ARGV[i + 1], now)
  if new then
    seq = new
    added = added + 1
  end
end
if seq then settle(timeline, boosts, head, seq, cap, ttl) end
return added
"""
)

RESTORE = (
    _DELIVERY_RULES
    + """
-- An author's entries back into ONE live timeline at their own cursors (a lifted
-- suspension). KEYS: timeline, boosts, head. ARGV: now seq, cap, ttl, then triples
-- (status id, seq, original id or ''). A timeline that is not live is left alone (its
-- rebuild brings them). Present members keep their place; a boost whose original (or
-- another boost of it) is shown is left out. The head moves, so a kept page of the
-- timeline is not served again. Returns how many were put back.
local timeline, boosts, head = KEYS[1], KEYS[2], KEYS[3]
local last = redis.call('GET', head)
if not last then return 0 end
local added = 0
for i = 4, #ARGV, 3 do
  local status, seq, original = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local shown = original ~= '' and (redis.call('ZSCORE', timeline, original)
    or redis.call('ZSCORE', boosts, original))
  if not shown and redis.call('ZADD', timeline, 'NX', seq, status) == 1 then
    if original ~= '' then redis.call('ZADD', boosts, 'NX', seq, original) end
    added = added + 1
  end
end
if added > 0 then
  local moved = string.format('%d', math.max(tonumber(last) + 1, tonumber(ARGV[1])))
  settle(timeline, boosts, head, moved, tonumber(ARGV[2]), ARGV[3])
end
return added
"""
)

FILL = """
-- KEYS: timeline, boosts, head. ARGV: now seq, cap, ttl, then triples
-- (status id, seq or '' for a fresh one, original id or ''). Members already present
-- (delivered while the rebuild read SQL) keep their place.
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[3])
end
local head = tonumber(redis.call('GET', KEYS[3]))
for i = 4, #ARGV, 3 do
  if not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    local seq = ARGV[i + 1]
    if seq == '' then
      head = math.max(head + 1, tonumber(ARGV[1]))
      seq = string.format('%d', head)
    end
    redis.call('ZADD', KEYS[1], seq, ARGV[i])
    if ARGV[i + 2] ~= '' then redis.call('ZADD', KEYS[2], 'NX', seq, ARGV[i + 2]) end
  end
end
redis.call('SET', KEYS[3], string.format('%d', head), 'EX', ARGV[3])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 1
"""


class RedisTimelineStore:
    def __init__(
        self,
        redis: Client,
        db: Database,
        *,
        prefix: str = "roost:",
        cap: int = 800,
        ttl_days: int = 7,
        lists: bool = False,
    ) -> None:
        self.redis = redis
        self.db = db
        self.posted_prefix = prefix  # posting tokens are the author's, whichever timeline
        self.prefix = f"{prefix}list:" if lists else prefix
        self.lists = lists
        self.cap = cap
        self.ttl = ttl_days * 86400
        # How a batch is split: on one Redis not at all, on a cluster by node (see the
        # module's text); bench/fanout_script.py sets "slot" to measure that way.
        self.grouping: Literal["none", "node", "slot"] = "node" if is_cluster(redis) else "none"
        self._deliver = Script(DELIVER)
        self._fill = Script(FILL)
        self._restore = Script(RESTORE)
        self._deliver_each = Script(DELIVER_EACH)
        # Rebuilds under way in this process, by owner: set when each ends.
        self._rebuilding: dict[int, asyncio.Event] = {}

    def keys(self, owner_id: int) -> tuple[str, str, str]:
        timeline = f"{self.prefix}tl:{{{owner_id}}}"
        return timeline, f"{timeline}:boosts", f"{timeline}:head"

    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> Added:
        owners = sorted(set(owner_ids) - {delivery.reblog_of_author_id})
        if not owners:
            return Added()
        original = delivery.reblog_of_id or ""
        args = (self.prefix, delivery.status_id, now_seq(), self.cap, original, self.ttl)
        calls: list[tuple[Sequence[str], list[int]]]  # each call's declared keys, owners
        if self.grouping == "node" and isinstance(self.redis, RedisCluster):
            groups = await group_by_node(self.redis, owners, self._timeline)
            calls = [(self.keys(group[0]), group) for group in groups]
        elif self.grouping == "slot":
            groups = group_by_slot(owners, self._timeline)
            calls = [([k for owner in group for k in self.keys(owner)], group) for group in groups]
        else:
            calls = [([], owners)]
        answers = await self._deliver.run_each(
            self.redis,
            [(keys, (*args, ",".join(map(str, group)))) for keys, group in calls],
            return_exceptions=True,
        )
        added, paged, moved = [], [], []
        for (_, group), answer in zip(calls, answers, strict=True):
            if isinstance(answer, ResponseError) and self.grouping == "node":
                moved += group  # a slot moved since the map was read: by slot, below
            elif isinstance(answer, Exception):
                raise answer
            else:
                added += [group[number - 1] for number in answer[0]]
                paged += [group[number - 1] for number in answer[1]]
        if moved:  # refused before any write (DELIVER reads every head first)
            slots = group_by_slot(moved, self._timeline)
            calls = [([k for owner in group for k in self.keys(owner)], group) for group in slots]
            answers = await self._deliver.run_each(
                self.redis, [(keys, (*args, ",".join(map(str, g)))) for keys, g in calls]
            )
            for (_, group), answer in zip(calls, answers, strict=True):
                added += [group[number - 1] for number in answer[0]]
                paged += [group[number - 1] for number in answer[1]]
        return Added(sorted(added), paged=sorted(paged))

    def _timeline(self, owner_id: int) -> str:
        return self.keys(owner_id)[0]

    async def deliver_each(self, owner_id: int, deliveries: Sequence[Delivery]) -> None:
        args: list[str | int] = [now_seq(), self.cap, self.ttl]
        for delivery in deliveries:
            if delivery.reblog_of_author_id != owner_id:
                args += [delivery.status_id, delivery.reblog_of_id or ""]
        if len(args) > 3:
            await self._deliver_each.run(self.redis, self.keys(owner_id), args)

    async def page(
        self,
        owner_id: int,
        *,
        max_seq: int | None = None,
        since_seq: int | None = None,
        min_seq: int | None = None,
        limit: int = 20,
    ) -> list[Entry]:
        window = Window(max_seq, since_seq, min_seq, limit)
        timeline = self.keys(owner_id)[0]
        high = f"({window.below}" if window.below is not None else "+inf"
        low = f"({window.above}" if window.above is not None else "-inf"
        if window.upwards:
            rows = await self.redis.zrangebyscore(
                timeline, low, high, start=0, num=window.limit, withscores=True
            )
        else:
            rows = await self.redis.zrevrangebyscore(
                timeline, high, low, start=0, num=window.limit, withscores=True
            )
        pairs: list[tuple[bytes, float]] = window.newest_first(rows)  # type: ignore[arg-type]
        return [Entry(seq=int(score), status_id=int(member)) for member, score in pairs]

    async def seq_of(self, owner_id: int, status_id: int) -> int | None:
        timeline, boosts, _ = self.keys(owner_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zscore(timeline, status_id)
            pipe.zscore(boosts, status_id)
            own, boosted = await pipe.execute()
        score = own if own is not None else boosted
        return int(score) if score is not None else None

    async def remove_author(self, owner_id: int, author_id: int) -> None:
        # The author's newest posts and boosts: no more than a timeline can hold.
        async with self.db.read() as session:
            rows = (
                await session.execute(
                    select(Status.id, Status.reblog_of_id)
                    .where(Status.account_id == author_id)
                    .order_by(Status.id.desc())
                    .limit(self.cap)
                )
            ).all()
        if rows:
            timeline, boosts, _ = self.keys(owner_id)
            # A boost of the author's that is in the timeline takes its original's mark
            # with it ("one appearance per post"), or the same boost delivered again
            # (a follow or an unsuspension back-filling) would be refused.
            shown = [(boost, original) for boost, original in rows if original is not None]
            async with self.redis.pipeline(transaction=False) as pipe:
                for boost, original in shown:
                    pipe.zscore(timeline, boost)
                    pipe.zscore(boosts, original)
                scores = await pipe.execute()
            marks = [
                original
                for (_, original), mine, mark in zip(shown, scores[::2], scores[1::2], strict=True)
                if mine is not None and mine == mark
            ]
            await self.redis.zrem(timeline, *(status_id for status_id, _ in rows))
            if marks:
                await self.redis.zrem(boosts, *marks)
            if not self.lists:
                # A removal does not move the head: tell the page cache (pages.py) itself.
                await self.redis.delete(version_key(self.prefix, "home", owner_id))

    async def remove_entries(self, owner_id: int, status_ids: Sequence[int]) -> None:
        if status_ids:
            await self.redis.zrem(self.keys(owner_id)[0], *status_ids)
            if not self.lists:  # a removal does not move the head: tell the page cache
                await self.redis.delete(version_key(self.prefix, "home", owner_id))

    async def remove_status(self, status_id: int, owner_ids: Sequence[int]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for owner in owner_ids:
                timeline, boosts, _ = self.keys(owner)
                pipe.zrem(timeline, status_id)
                pipe.zrem(boosts, status_id)
            await pipe.execute()

    async def drop(self, owner_id: int) -> None:
        timeline, boosts, head = self.keys(owner_id)
        await self.redis.delete(timeline, boosts, head, f"{timeline}:merged")

    async def is_live(self, owner_id: int) -> bool:
        timeline, _, head = self.keys(owner_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.exists(head)
            pipe.exists(f"{timeline}:rebuilding")
            has_head, rebuilding = await pipe.execute()
        return bool(has_head) and not rebuilding

    @contextlib.asynccontextmanager
    async def rebuild_lock(self, owner_id: int, wait: float = 5.0) -> AsyncIterator[bool]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        here = self._rebuilding.get(owner_id)
        if here is not None:
            # A reader in this process has it (or waits on another process): wait for
            # that reader to finish, without asking Redis.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(deadline):
                    await here.wait()
            yield False
            return
        done = self._rebuilding[owner_id] = asyncio.Event()
        try:
            lock = f"{self.keys(owner_id)[0]}:rebuilding"
            if await self.redis.set(lock, 1, nx=True, ex=30):
                try:
                    yield True
                finally:
                    await self.redis.delete(lock)
                return
            # Another process holds the lock: nothing in this process to wait on but time.
            while await self.redis.exists(lock) and loop.time() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            yield False
        finally:
            del self._rebuilding[owner_id]
            done.set()

    async def fill(self, owner_id: int, entries: Sequence[Fill]) -> None:
        args: list[str | int] = [now_seq(), self.cap, self.ttl]
        for entry in entries:
            seq = "" if entry.seq is None else entry.seq
            args += [entry.status_id, seq, entry.reblog_of_id or ""]
        await self._fill.run(self.redis, self.keys(owner_id), args)

    async def restore_author(self, owner_id: int, author_id: int, entries: Sequence[Fill]) -> None:
        if any(entry.seq is None for entry in entries):
            raise ValueError("restored entries keep cursors of their own")
        args: list[str | int] = [now_seq(), self.cap, self.ttl]
        for entry in entries:
            args += [entry.status_id, entry.seq or 0, entry.reblog_of_id or ""]
        if len(args) > 3:
            await self._restore.run(self.redis, self.keys(owner_id), args)

    def posted_key(self, author_id: int) -> str:
        return f"{self.posted_prefix}posted:{{{author_id}}}"

    async def note_posted(self, author_ids: Sequence[int]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            for author in author_ids:
                pipe.set(self.posted_key(author), secrets.token_hex(8), ex=self.ttl)
            await pipe.execute()

    async def merge_state(
        self, owner_id: int, author_ids: Sequence[int]
    ) -> dict[int, tuple[MergeMark | None, str | None]]:
        if not author_ids:
            return {}
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(f"{self.keys(owner_id)[0]}:merged", list(author_ids))
            for author in author_ids:
                pipe.get(self.posted_key(author))
            marks, *tokens = await pipe.execute()
        missing = [a for a, t in zip(author_ids, tokens, strict=True) if t is None]
        if missing:
            # Lost (or never set): start a token now, before the caller reads SQL, so a
            # post committed after that read changes it.
            async with self.redis.pipeline(transaction=False) as pipe:
                for author in missing:
                    pipe.set(self.posted_key(author), secrets.token_hex(8), nx=True, ex=self.ttl)
                    pipe.get(self.posted_key(author))
                started = dict(zip(missing, (await pipe.execute())[1::2], strict=True))
            tokens = [started.get(a, t) for a, t in zip(author_ids, tokens, strict=True)]
        state: dict[int, tuple[MergeMark | None, str | None]] = {}
        for author, raw, token in zip(author_ids, marks, tokens, strict=True):
            mark = None
            if raw is not None:
                newest, _, seen = raw.decode().partition(":")
                mark = MergeMark(int(newest), seen or None)
            state[author] = (mark, token.decode() if token is not None else None)
        return state

    async def set_merge_mark(self, owner_id: int, author_id: int, mark: MergeMark) -> None:
        key = f"{self.keys(owner_id)[0]}:merged"
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(key, str(author_id), f"{mark.newest}:{mark.token or ''}")
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def listpack_advice(self) -> str | None:
        """What to change if Redis would store full timelines as skiplists (~120 bytes
        an entry) rather than listpacks (~21): docs/performance.md, "Redis memory"."""
        try:
            setting = await self.redis.config_get("zset-max-listpack-entries")
        except RedisError:  # managed Redis may refuse CONFIG: nothing to say then
            return None
        entries = int(setting.get("zset-max-listpack-entries") or 0)
        if entries >= self.cap:
            return None
        return (
            f"Redis has zset-max-listpack-entries {entries}, below the timeline cap "
            f"({self.cap}): full timelines take ~6x the memory. Set it to {self.cap} or more."
        )

    async def bytes_per_entry(self, owner_id: int) -> float:
        """Memory of one timeline's sorted set per entry (for the benchmark)."""
        timeline = self.keys(owner_id)[0]
        size = await self.redis.memory_usage(timeline) or 0
        count = await self.redis.zcard(timeline)
        return size / count if count else 0.0
