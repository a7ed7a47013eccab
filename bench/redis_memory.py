"""Bytes per home-timeline entry in Redis, as stored and in both sorted-set encodings.

Redis keeps a sorted set as a compact listpack only while it has at most
``zset-max-listpack-entries`` members (128 by default); a full timeline (800) is
then a skiplist plus a hash table. The setting only applies to sets created after
it changes, so each encoding is measured on a fresh copy of the same timeline, under
this run's key prefix; the server setting is restored afterwards, whatever happens.
On a Redis Cluster the copies share the timeline's hash tag, so they lie on its master,
and the setting is read and changed on that master alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from bench.delivery import timeline_key
from bench.redis_topology import target
from roost.core.redis import Client

SETTING = "zset-max-listpack-entries"


async def fullest_timeline(redis: Client, prefix: str, owners: Sequence[int]) -> tuple[int, int]:
    """(owner, entries) of the largest timeline among these owners."""
    async with redis.pipeline(transaction=False) as pipe:
        for owner in owners:
            pipe.zcard(timeline_key(prefix, owner))
        sizes = await pipe.execute()
    best = max(range(len(owners)), key=lambda i: sizes[i])
    return owners[best], int(sizes[best])


async def _describe(redis: Client, key: str) -> dict[str, Any]:
    size = int(await redis.memory_usage(key, samples=0) or 0)
    entries = int(await redis.zcard(key))
    encoding = await redis.object("encoding", key)
    if isinstance(encoding, bytes):
        encoding = encoding.decode()
    return {
        "entries": entries,
        "bytes": size,
        "bytes_per_entry": size / entries if entries else 0.0,
        "encoding": encoding,
    }


async def _copy(redis: Client, source: str, target: str, pairs: list[tuple[bytes, float]]) -> None:
    await redis.delete(target)
    await redis.zadd(target, {member: score for member, score in pairs})


async def measure(
    redis: Client, prefix: str, owner: int, listpack_entries: int = 1024
) -> dict[str, Any]:
    key = timeline_key(prefix, owner)
    pairs = cast(list[tuple[bytes, float]], await redis.zrange(key, 0, -1, withscores=True))
    node = target(redis, key)  # on a cluster, the timeline's master (and its copies')
    original = (await redis.config_get(SETTING, **node)).get(SETTING)
    as_stored = await _describe(redis, key)
    default_copy = f"{key}:bench-copy-default"  # still under the run's prefix
    listpack_copy = f"{key}:bench-copy-listpack"
    try:
        await _copy(redis, key, default_copy, pairs)
        with_default = await _describe(redis, default_copy)
        await redis.config_set(SETTING, listpack_entries, **node)
        await _copy(redis, key, listpack_copy, pairs)
        with_listpack = await _describe(redis, listpack_copy)
    finally:
        if original is not None:
            await redis.config_set(SETTING, original, **node)
        await redis.delete(default_copy, listpack_copy)
    return {
        "owner": owner,
        "setting_default": original,
        "as_stored": as_stored,
        "copy_with_default": with_default,
        "copy_with_listpack": {**with_listpack, "setting": listpack_entries},
    }
