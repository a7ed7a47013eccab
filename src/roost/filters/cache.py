"""Each person's filters, kept in this process and checked against a version.

Every filtered read needs the reader's filters; most people have none, and none of
them change often. So a process keeps the filters it loaded, with the version they
were loaded under, and reads SQL again only when the version moved:

- with Redis, the version is the 'filters' version key of the account
  (core/versions.py): started before the SQL read, deleted after the commit of any
  change, so every process sees a change at once. A kept home page holds the same
  version, so a change to the owner's filters also spoils it;
- without Redis (the embedded mode: one process), a generation number in this
  process, moved after the commit of any change.

A read costs one Redis call (with Redis) or nothing (embedded), and one SQL
statement only after a change or when the account's entry was pushed out.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import after_commit, fresh
from roost.core.versions import Versions, Watch
from roost.filters.matching import ViewerFilters, read_viewer_filters

LOCAL_ENTRIES = 10_000


class FilterCache:
    def __init__(self, versions: Versions) -> None:
        self.versions = versions
        self._local: OrderedDict[int, tuple[str, ViewerFilters]] = OrderedDict()
        self._generations: dict[int, int] = {}  # without Redis only

    async def load(
        self, session: AsyncSession, account_id: int, *, watch: Watch | None = None
    ) -> ViewerFilters:
        """The account's filters; ``watch`` (a kept page) holds their version."""
        if self.versions.redis is None:
            version = str(self._generations.get(account_id, 0))
        else:
            key = self.versions.key("filters", account_id)
            (found,) = await self.versions.start([key])
            if watch is not None:
                watch.hold(key, found)
            if found is None:  # lost meanwhile: read, and keep nothing
                return await read_viewer_filters(session, account_id)
            version = found.decode() if isinstance(found, bytes) else str(found)
        entry = self._local.get(account_id)
        if entry is not None and entry[0] == version:
            self._local.move_to_end(account_id)
            return entry[1]
        async with fresh(session) as primary:  # what a cache keeps is read on the primary
            filters = await read_viewer_filters(primary, account_id)
        self._local[account_id] = (version, filters)
        self._local.move_to_end(account_id)
        if len(self._local) > LOCAL_ENTRIES:
            self._local.popitem(last=False)
        return filters

    def forget(self, session: AsyncSession, account_id: int) -> None:
        """The account's filters change in ``session``'s transaction: once it commits,
        every process reads them again (and kept pages of that account are spoiled)."""
        if self.versions.redis is not None:
            self.versions.forget(session, "filters", [account_id])
            return

        async def move() -> None:
            self._generations[account_id] = self._generations.get(account_id, 0) + 1

        after_commit(session, move)
