"""The account cache: rendered Mastodon Account entities, shared through Redis, for
the authors on timeline pages.

Accounts change (counts on every post and follow, profile edits), so every change
invalidates, after its commit, through ``AccountCache.forget``. Invalidation is by
version (core/versions.py): each account has a version key, and a cached rendering is
tagged with the version it was read under. A writer deletes the version after commit;
a reader that finds none starts a new one *before* it reads SQL. So a reader that read
the row before a commit can only store it under a version that the commit's
invalidation has already deleted, and no later reader takes it: a cached account
is never older than the last commit that invalidated it.

Without Redis (the embedded mode) nothing is cached: rows are read from SQL. With
Redis unreachable (core/breaker.py) rows are read from SQL too, and nothing is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.breaker import REDIS_DOWN
from roost.core.db import fresh
from roost.core.redis import Client, mget
from roost.core.versions import Versions

if TYPE_CHECKING:
    from roost.core.versions import Watch

TTL_SECONDS = 24 * 3600


class AccountCache:
    """Renderings with URLs under ``base_url`` (the server's public address)."""

    def __init__(self, redis: Client | None, versions: Versions, *, base_url: str) -> None:
        self.redis = redis
        self.versions = versions
        self.base_url = base_url

    def forget(self, session: AsyncSession, ids: Iterable[int]) -> None:
        """These accounts' rows change in ``session``'s transaction: drop their cached
        renderings once it commits."""
        self.versions.forget(session, "account", ids)

    def _keys(self, account_id: int) -> tuple[str, str]:
        """The rendering's key and the account's version key."""
        rendering = f"{self.versions.prefix}acct:{{{account_id}}}"
        return rendering, self.versions.key("account", account_id)

    async def rendered(
        self, session: AsyncSession, ids: Iterable[int], *, watch: Watch | None = None
    ) -> dict[int, dict[str, Any]]:
        """Rendered accounts by id (missing ones are absent); ``watch`` is given the
        version each was read under (timelines/page_cache.py)."""
        wanted = list(set(ids))
        if self.redis is None or not wanted:
            return await _from_sql(session, wanted, self.base_url)
        try:
            return await self._cached(session, wanted, self.redis, watch)
        except REDIS_DOWN:
            if watch:
                watch.spoiled = True  # what it read cannot be checked: keep nothing
            return await _from_sql(session, wanted, self.base_url)

    async def _cached(
        self, session: AsyncSession, wanted: list[int], redis: Client, watch: Watch | None
    ) -> dict[int, dict[str, Any]]:
        # An account's rendering and version share its slot ({id}); on a cluster, one
        # MGET per slot.
        values: list[Any] = await mget(redis, [k for a in wanted for k in self._keys(a)])
        found: dict[int, dict[str, Any]] = {}
        stale: list[int] = []
        versions: dict[int, bytes] = {}
        pairs = zip(values[::2], values[1::2], strict=True)
        for account_id, (cached, version) in zip(wanted, pairs, strict=True):
            if cached is not None and version is not None:
                tag, rendered = orjson.loads(cached)
                if tag == version.decode():
                    found[account_id] = rendered
                    if watch:
                        watch.hold(self._keys(account_id)[1], version)
                    continue
            stale.append(account_id)
            if version is not None:
                versions[account_id] = version
        if not stale:
            return found
        unversioned = [a for a in stale if a not in versions]
        if unversioned:  # start versions before reading SQL (see the module docstring)
            started = await self.versions.start([self._keys(a)[1] for a in unversioned])
            versions |= {a: v for a, v in zip(unversioned, started, strict=True) if v}
        if watch:
            for account_id in stale:
                watch.hold(self._keys(account_id)[1], versions.get(account_id))
        async with fresh(session) as primary:  # what a cache keeps is read on the primary
            read = await _from_sql(primary, stale, self.base_url)
        try:
            async with redis.pipeline(transaction=False) as pipe:
                for account_id, rendered in read.items():
                    version = versions.get(account_id)
                    if version is not None:
                        value = orjson.dumps([version.decode(), rendered])
                        pipe.set(self._keys(account_id)[0], value, ex=TTL_SECONDS)
                await pipe.execute()
        except REDIS_DOWN:
            pass  # read from SQL all the same; the next reader keeps them
        return found | read


async def _from_sql(
    session: AsyncSession, ids: list[int], base_url: str
) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await session.scalars(select(Account).where(Account.id.in_(ids)))
    return {account.id: render_account(account, base_url=base_url) for account in rows}
