"""Version keys: how a cache tells that what it rendered is still true.

Each thing a cached rendering depends on (a token, a status's counts, the viewer's
relations) has a version key in Redis. A writer deletes the key after its commit
(``Versions.forget``); a reader starts a version (``Versions.start``: set it if
absent, read it) *before* it reads SQL and stores its rendering with the versions
it started. A rendering is served only while every version it holds is unchanged.

So a commit that lands while a reader reads SQL deletes a version that reader
already holds: its rendering is never served. A commit before the start is in
what the reader reads. A lost version (flush, eviction, expiry) only costs a
render. The account cache (accounts/cache.py) keeps its versions here too.

With Redis unreachable (core/breaker.py) no version can be started: ``start`` answers
None for each, and a reader keeps nothing. A deletion that cannot reach Redis after
its commit is handed to ``lost`` (the runtime queues it as an outbox job, which the
sweep runs until Redis takes it): until then a cached rendering may be served stale,
never longer than that job takes or, if even the job could not be written, than the
versions' own expiry (``TTL_SECONDS``).

Without Redis (the embedded mode) nothing is cached and forgetting does nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.breaker import REDIS_DOWN
from roost.core.db import after_commit, pending
from roost.core.redis import Client, by_slot
from roost.core.scripts import Script

log = logging.getLogger(__name__)

TTL_SECONDS = 24 * 3600
FORGET_BATCH = 1000

# KEYS: version keys. ARGV: a fresh version, ttl. Returns every key's version.
START = """
local versions = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'NX', 'EX', ARGV[2])
  versions[i] = redis.call('GET', key)
end
return versions
"""


def version_key(prefix: str, kind: str, ident: int | str) -> str:
    """``kind`` is what the key stands for: 'status' (counts and existence), 'home'
    (the owner's relations), 'token' (an access token, by digest), 'account' (its row)."""
    return f"{prefix}v:{kind}:{{{ident}}}"


# Deletes version keys later, when Redis could not take them after a commit.
ForgetLater = Callable[[list[str]], Awaitable[None]]


class Versions:
    """The version keys under ``prefix``; without Redis, there are none to start and
    forgetting does nothing. ``lost`` takes the keys a commit could not delete."""

    def __init__(
        self, redis: Client | None, *, prefix: str = "roost:", lost: ForgetLater | None = None
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.lost = lost
        self._start = Script(START)

    def key(self, kind: str, ident: int | str) -> str:
        return version_key(self.prefix, kind, ident)

    async def start(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        assert self.redis is not None, "versions are only started with Redis"
        # One call on a single Redis; on a cluster one per slot (the keys of one thing,
        # its {id}, share a slot), all in one pipeline.
        groups = by_slot(self.redis, keys, str)
        fresh = secrets.token_hex(8)
        try:
            answers = await self._start.run_each(
                self.redis, [(group, (fresh, TTL_SECONDS)) for group in groups]
            )
        except REDIS_DOWN:
            return [None] * len(keys)  # no version: the reader keeps nothing
        found = dict(
            zip(
                (key for group in groups for key in group),
                (version for answer in answers for version in answer),
                strict=True,
            )
        )
        return [found[key] for key in keys]

    def forget(self, session: AsyncSession, kind: str, idents: Iterable[int | str]) -> None:
        """What these versions stand for changes in ``session``'s transaction: delete
        them once it commits (all of them in one call, whatever their kinds; on a cluster
        redis-py sends one DEL per slot)."""
        if self.redis is None:
            return
        transaction = pending(session)
        keys: set[str] | None = transaction.get("forget_versions")
        if keys is None:
            keys = transaction["forget_versions"] = set()
            redis = self.redis
            forgotten = keys

            async def forget() -> None:
                if not forgotten:
                    return
                try:
                    await redis.delete(*forgotten)
                except REDIS_DOWN:
                    await self._forget_later(sorted(forgotten))

            after_commit(session, forget)
        keys.update(self.key(kind, i) for i in idents)

    async def forget_everything(self) -> int:
        """Delete every version key (each master of a cluster scanned): nothing kept is
        served again until rendered anew. How many were deleted."""
        if self.redis is None:
            return 0
        deleted = 0
        batch: list[str] = []
        async for key in self.redis.scan_iter(match=f"{self.prefix}v:*", count=1000):
            batch.append(key)
            if len(batch) >= FORGET_BATCH:
                deleted += await self._unlink(batch)
                batch = []
        return deleted + await self._unlink(batch)

    async def _unlink(self, keys: list[str]) -> int:
        """One call (on a cluster, redis-py sends one per slot)."""
        assert self.redis is not None
        return int(await self.redis.unlink(*keys)) if keys else 0

    async def _forget_later(self, keys: list[str]) -> None:
        if self.lost is None:
            log.error("could not forget %s versions: Redis unreachable", len(keys))
            return
        log.warning("Redis unreachable: %s versions will be forgotten by a job", len(keys))
        await self.lost(keys)


class Watch:
    """The versions a rendering depends on, each read before its data: a cache keeps
    the rendering with them and serves it only while they hold."""

    def __init__(self, versions: Versions) -> None:
        self.versions = versions
        self.held: dict[str, str] = {}
        self.spoiled = False  # a version could not be read: do not keep the rendering

    def hold(self, key: str, version: str | bytes | None) -> None:
        if version is None:
            self.spoiled = True
        else:
            self.held[key] = version.decode() if isinstance(version, bytes) else version

    async def start(self, kind: str, idents: list[int] | list[str]) -> None:
        keys = [self.versions.key(kind, ident) for ident in idents]
        for key, version in zip(keys, await self.versions.start(keys), strict=True):
            self.hold(key, version)
