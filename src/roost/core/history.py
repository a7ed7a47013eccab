"""The database's history: when it turns, what Redis keeps may be ahead of it.

Replication is asynchronous, so a primary lost with commits its replica never received
takes them with it: the promoted replica starts a new timeline of its history without
them (a restore to a point in time does the same). Redis was told of those commits after
each of them: a post in a follower's home, a kept page showing it, an account's cached
counts. Every rendering reads whether a post still exists, so a lost post is left out of
any page rendered anew; but a kept page (timelines/page_cache.py) or a cached account is
served while its versions hold, and none of them changed.

So each process reads the primary's timeline (the first eight hex digits of its WAL
file's name) every ``POLL_SECONDS``, and at start, on a connection of its own (requests
never wait for it, and it is never counted as theirs). Redis holds the newest timeline
seen (``{prefix}pg:timeline``, one key), asked only when the process reads a timeline
other than the last it saw. A process that reads a newer one forgets every version
(core/versions.py), then records it: every kept page and versioned cache is rendered
again, from the new primary (two processes that see it at once both forget: the same
deletions twice). A timeline older than the one held (the old primary, still up after the
promotion) changes nothing. If Redis lost the key, the process's own last timeline
stands for it. The cost is a render of every page once.

The window: from the promotion until the first poll after it (at most ``POLL_SECONDS``
once the new primary answers), a kept page may still show what was lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from roost.core.redis import Client
from roost.core.scripts import Script
from roost.core.versions import Versions

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
POLL_TIMEOUT = 5.0

TIMELINE = text("SELECT pg_walfile_name(pg_current_wal_lsn())")

# KEYS: the newest timeline seen. ARGV: the timeline read, the one this process saw
# last ('' if none). 1 if it is newer than one seen before (what Redis holds may be
# ahead of the database), else 0; the first timeline seen is recorded.
NEWER = """
local seen = tonumber(redis.call('GET', KEYS[1])) or tonumber(ARGV[2])
local now = tonumber(ARGV[1])
if seen and seen >= now then return 0 end
if seen then return 1 end
redis.call('SET', KEYS[1], now)
return 0
"""

# KEYS: the newest timeline seen. ARGV: a timeline whose versions were forgotten.
RECORD = """
local seen = tonumber(redis.call('GET', KEYS[1]))
if not seen or seen < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
"""


class History:
    """Watches the primary's timeline; forgets every version when it moves forward."""

    def __init__(self, database_url: str, redis: Client, versions: Versions) -> None:
        # One connection, tested before each use: after a failover it reaches the new
        # primary at the first poll.
        self.engine = create_async_engine(
            database_url, pool_size=1, max_overflow=0, pool_pre_ping=True
        )
        self.redis = redis
        self.versions = versions
        self.key = f"{versions.prefix}pg:timeline"
        self._newer, self._record = Script(NEWER), Script(RECORD)
        self._seen: int | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def check(self) -> bool:
        """Read the primary's timeline; True if it moved forward and this process forgot
        every version."""
        async with asyncio.timeout(POLL_TIMEOUT), self.engine.connect() as connection:
            walfile = await connection.scalar(TIMELINE)
        timeline = int(str(walfile)[:8], 16)
        if timeline == self._seen:
            return False
        seen = "" if self._seen is None else self._seen
        newer = await self._newer.run(self.redis, [self.key], [timeline, seen])
        if newer:
            # Recorded once forgotten: if forgetting fails, the next poll tries again.
            forgotten = await self.versions.forget_everything()
            await self._record.run(self.redis, [self.key], [timeline])
            log.warning(
                "the database is on timeline %s (a promotion or a restore): %s versions "
                "forgotten, every kept page and cached account is rendered again",
                timeline,
                forgotten,
            )
        self._seen = timeline
        return bool(newer)

    def watch(self) -> None:
        """Check every ``POLL_SECONDS`` from now on, until ``close``."""
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            try:
                await self.check()
            except Exception as exc:  # the primary or Redis is down: the next poll
                log.debug("checking the database's timeline failed: %r", exc)
            await asyncio.sleep(POLL_SECONDS)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self.engine.dispose()
