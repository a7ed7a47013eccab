"""Lua scripts run by EVALSHA, shared by every store that keeps one."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis, RedisCluster
from redis.exceptions import NoScriptError

Keys = Sequence[str | bytes]
Args = Sequence[str | int | bytes]


class Script:
    """A Lua script run by EVALSHA; its text is loaded only when Redis lacks it.

    On a Redis Cluster a call is sent to the master of its keys' slot, and its keys must
    all be in that slot (Redis refuses it otherwise); the script should touch no other
    key. ``run_each`` runs several calls, one per slot, in one pipeline."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()

    async def run(self, redis: Redis | RedisCluster, keys: Keys, args: Args) -> Any:
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:  # first use, or Redis restarted or flushed its scripts
            await redis.script_load(self.text)  # on a cluster: loaded on every master
            return await redis.evalsha(self.sha, len(keys), *keys, *args)

    async def run_each(
        self,
        redis: Redis | RedisCluster,
        calls: Sequence[tuple[Keys, Args]],
        *,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """The answers of several calls (each its keys and args), sent in one pipeline:
        one round trip on a single Redis, one per node (all at once) on a cluster. The
        calls that succeeded stay done if another fails; its error is raised after, or
        with ``return_exceptions`` given in its place."""
        if len(calls) == 1 and not return_exceptions:
            keys, args = calls[0]
            return [await self.run(redis, keys, args)]
        answers = await self._pipelined(redis, calls)
        unknown = [i for i, answer in enumerate(answers) if isinstance(answer, NoScriptError)]
        if unknown:  # a master had not seen the script yet (first use, restart, failover)
            await redis.script_load(self.text)
            again = await self._pipelined(redis, [calls[i] for i in unknown])
            for i, answer in zip(unknown, again, strict=True):
                answers[i] = answer
        for answer in answers:
            if isinstance(answer, Exception) and not return_exceptions:
                raise answer
        return answers

    async def _pipelined(
        self, redis: Redis | RedisCluster, calls: Sequence[tuple[Keys, Args]]
    ) -> list[Any]:
        async with redis.pipeline(transaction=False) as pipe:
            for keys, args in calls:
                pipe.evalsha(self.sha, len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))
