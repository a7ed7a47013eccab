"""The timeline-store interface: what fan-out, rebuilds, merges and reads ask of a
store of timelines. Runtime holds two stores of this one kind: home timelines
keyed by account id (``runtime.timelines``) and list timelines keyed by list id
(``runtime.list_timelines``). The only code that reads or writes timeline entries are its two
implementations: ``sql_store.py`` (the embedded default) and ``redis_store.py``
(scaled). How entries are ordered and paged is ``cursors.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    status_id: int


@dataclass(frozen=True, slots=True)
class Delivery:
    """One status to put into timelines; for a boost, ``reblog_of_id`` is the original."""

    status_id: int
    author_id: int
    reblog_of_id: int | None = None
    reblog_of_author_id: int | None = None


class Added(list[int]):
    """The owners a delivery was new to, in order; ``paged``: those of them whose kept
    home pages (page_cache.py) are rendered again before they are read (Redis only)."""

    def __init__(self, owners: Iterable[int] = (), *, paged: Iterable[int] = ()) -> None:
        super().__init__(owners)
        self.paged = list(paged)


@dataclass(frozen=True, slots=True)
class Fill:
    """A rebuilt entry: ``seq`` None takes a fresh cursor, as if delivered now."""

    status_id: int
    seq: int | None
    reblog_of_id: int | None = None


@dataclass(frozen=True, slots=True)
class MergeMark:
    """What a reader last merged from one big account: the newest status id, and the
    account's posting token (``TimelineStore.note_posted``) read before that merge."""

    newest: int
    token: str | None = None


class Pages(Protocol):
    """What a read pages through: a store, or a timeline read by the rule (by_rule.py)."""

    async def page(
        self,
        owner_id: int,
        *,
        max_seq: int | None = None,
        since_seq: int | None = None,
        min_seq: int | None = None,
        limit: int = 20,
    ) -> list[Entry]:
        """Newest first, by the cursor rules of ``core.paging.Window`` on ``seq``:
        ``min_seq`` takes the entries just after it, ``since_seq`` the newest."""
        ...

    async def seq_of(self, owner_id: int, status_id: int) -> int | None: ...


class TimelineStore(Pages, Protocol):
    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> Added:
        """Put a status into each owner's timeline once; returns the owners it was new to."""
        ...

    async def deliver_each(self, owner_id: int, deliveries: Sequence[Delivery]) -> None:
        """Put several statuses into one timeline, in order, by the rules of ``deliver``
        (a read-time merge: one round trip, not one per status)."""
        ...

    async def remove_author(self, owner_id: int, author_id: int) -> None:
        """Drop an author's posts and boosts from one timeline (unfollow, block)."""
        ...

    async def remove_entries(self, owner_id: int, status_ids: Sequence[int]) -> None:
        """Drop these statuses from one timeline (a followed tag that is followed no more)."""
        ...

    async def remove_status(self, status_id: int, owner_ids: Sequence[int]) -> None:
        """Drop a status (and boosts of it) from these timelines (or all, if the store can)."""
        ...

    async def drop(self, owner_id: int) -> None:
        """Forget one timeline entirely (its list was deleted)."""
        ...

    async def is_live(self, owner_id: int) -> bool:
        """Whether the timeline is materialized; a missing one is rebuilt on read."""
        ...

    def rebuild_lock(self, owner_id: int) -> contextlib.AbstractAsyncContextManager[bool]:
        """Single flight: True for the one reader that should rebuild."""
        ...

    async def fill(self, owner_id: int, entries: Sequence[Fill]) -> None:
        """Materialize a timeline from SQL, never overwriting entries delivered meanwhile."""
        ...

    async def restore_author(self, owner_id: int, author_id: int, entries: Sequence[Fill]) -> None:
        """Put an author's entries back into a live timeline at their own cursors
        (``seq`` given), as a rebuild would place them, within the cap; entries there
        already keep their place. A timeline that is not live is left alone: its
        rebuild from SQL brings them."""
        ...

    async def note_posted(self, author_ids: Sequence[int]) -> None:
        """These accounts have just committed a post: change their posting tokens."""
        ...

    async def merge_state(
        self, owner_id: int, author_ids: Sequence[int]
    ) -> dict[int, tuple[MergeMark | None, str | None]]:
        """For each author: the owner's merge mark, and the author's posting token now
        (None where the store keeps no tokens: then every read merges)."""
        ...

    async def set_merge_mark(self, owner_id: int, author_id: int, mark: MergeMark) -> None: ...
