"""Lua scripts run by EVALSHA, shared by every store that keeps one."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError


class Script:
    """A Lua script run by EVALSHA; its text is loaded only when Redis lacks it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sha = hashlib.sha1(text.encode()).hexdigest()

    async def run(
        self, redis: Redis, keys: Sequence[str | bytes], args: Sequence[str | int]
    ) -> Any:
        try:
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:  # first use, or Redis restarted or flushed its scripts
            await redis.script_load(self.text)
            return await redis.evalsha(self.sha, len(keys), *keys, *args)
