"""The home-timeline store: the only code that reads or writes timeline entries.

Why entries carry their own cursor (``seq``) instead of being ordered by status id
------------------------------------------------------------------------------
A status id is taken when the post is created, but the post becomes visible in a
follower's timeline later, when its delivery commits. Two posts created in one
order can commit in the other, and a delivery can be held back by a slow
worker. A client that polls with ``min_id=<newest id it saw>`` then skips any
post that became visible after its poll but carries a smaller id: the bug of
Mastodon issues #3473, #5228, #7666, #20090.

So each delivery takes the next ``seq`` of its timeline *inside the transaction
that inserts it*, under that timeline's head row (``home_feeds``), which the
database locks until commit. Entries of one timeline therefore become visible in
``seq`` order, and a reader that has seen every entry up to ``seq = s`` will see
every later one with a larger ``seq``: polling with ``min_id`` and paging with
``max_id`` together return each entry exactly once.

``seq`` values are microseconds since the Roost epoch (or last + 1 when two
deliveries fall in one microsecond). They stay below 2**53, so they are exact
as Redis scores, and they never collide with status ids (always >= 2**53), so
a client that sends a status id as ``max_id`` can be recognised and served (see
``cursor_for``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from roost.core.db import Database
from roost.core.ids import ROOST_EPOCH_MS, id_to_unix_ms
from roost.core.paging import Window
from roost.timelines.models import HomeEntry, HomeFeed

STATUS_ID_FLOOR = 1 << 53


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


def now_seq() -> int:
    return time.time_ns() // 1000 - ROOST_EPOCH_MS * 1000


def seq_at_status(status_id: int) -> int:
    """The cursor of the moment a status id was taken: for ids not in a timeline."""
    return (id_to_unix_ms(status_id) - ROOST_EPOCH_MS) * 1000


class TimelineStore(Protocol):
    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> list[int]:
        """Put a status into each owner's timeline once; returns the owners it was new to."""
        ...

    async def deliver_each(self, owner_id: int, deliveries: Sequence[Delivery]) -> None:
        """Put several statuses into one timeline, in order, by the rules of ``deliver``
        (a read-time merge: one round trip, not one per status)."""
        ...

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

    async def remove_author(self, owner_id: int, author_id: int) -> None:
        """Drop an author's posts and boosts from one timeline (unfollow, block)."""
        ...

    async def remove_status(self, status_id: int, owner_ids: Sequence[int]) -> None:
        """Drop a status (and boosts of it) from these timelines (or all, if the store can)."""
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


async def cursor_for(store: TimelineStore, owner_id: int, value: int | None) -> int | None:
    """A paging parameter as a ``seq``: cursors pass through; a status id becomes the
    cursor of its entry in this timeline, or of the moment it was created."""
    if value is None or value < STATUS_ID_FLOOR:
        return value
    seq = await store.seq_of(owner_id, value)
    return seq if seq is not None else seq_at_status(value)


class DatabaseTimelineStore:
    """Timelines as rows in SQL: the embedded default, durable, never trimmed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> list[int]:
        owners = sorted(set(owner_ids))  # one lock order everywhere: no deadlocks
        if delivery.reblog_of_author_id is not None:
            # Nobody needs to see a boost of their own post in their own feed.
            owners = [o for o in owners if o != delivery.reblog_of_author_id]
        if not owners:
            return []
        async with self.db.write() as session:
            if delivery.reblog_of_id is not None:
                # One appearance per post: skip timelines that already show it or a boost of it.
                shown = await session.scalars(
                    select(HomeEntry.owner_id).where(
                        HomeEntry.owner_id.in_(owners),
                        or_(
                            HomeEntry.status_id == delivery.reblog_of_id,
                            HomeEntry.reblog_of_id == delivery.reblog_of_id,
                        ),
                    )
                )
                already = set(shown.all())
                owners = [o for o in owners if o not in already]
                if not owners:
                    return []
            heads = await session.execute(self._advance_heads(owners))
            seqs = dict(heads.all())
            rows = [
                {
                    "owner_id": owner,
                    "seq": seqs[owner],
                    "status_id": delivery.status_id,
                    "author_id": delivery.author_id,
                    "reblog_of_id": delivery.reblog_of_id,
                }
                for owner in owners
            ]
            insert = _insert(self.db, HomeEntry).on_conflict_do_nothing(
                index_elements=["owner_id", "status_id"]
            )
            result = await session.execute(insert.returning(HomeEntry.owner_id), rows)
            added = list(result.scalars())
            await session.commit()
            return added

    def _advance_heads(self, owners: list[int]) -> Any:
        """Take the next seq of each timeline, locking its head row until commit."""
        now = now_seq()
        insert = _insert(self.db, HomeFeed).values(
            [{"owner_id": o, "last_seq": now} for o in owners]
        )
        greatest = func.max if self.db.is_sqlite else func.greatest
        return insert.on_conflict_do_update(
            index_elements=["owner_id"],
            set_={"last_seq": greatest(HomeFeed.last_seq + 1, insert.excluded.last_seq)},
        ).returning(HomeFeed.owner_id, HomeFeed.last_seq)

    async def deliver_each(self, owner_id: int, deliveries: Sequence[Delivery]) -> None:
        for delivery in deliveries:
            await self.deliver([owner_id], delivery)

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
        query = select(HomeEntry.seq, HomeEntry.status_id).where(HomeEntry.owner_id == owner_id)
        async with self.db.read() as session:
            rows = (await session.execute(window.bound(query, HomeEntry.seq))).all()
        return window.newest_first([Entry(seq, status_id) for seq, status_id in rows])

    async def seq_of(self, owner_id: int, status_id: int) -> int | None:
        async with self.db.read() as session:
            return await session.scalar(
                select(HomeEntry.seq).where(
                    HomeEntry.owner_id == owner_id,
                    or_(HomeEntry.status_id == status_id, HomeEntry.reblog_of_id == status_id),
                )
            )

    async def remove_author(self, owner_id: int, author_id: int) -> None:
        async with self.db.write() as session:
            await session.execute(
                delete(HomeEntry).where(
                    and_(HomeEntry.owner_id == owner_id, HomeEntry.author_id == author_id)
                )
            )
            await session.commit()

    async def remove_status(self, status_id: int, owner_ids: Sequence[int] = ()) -> None:
        async with self.db.write() as session:
            await session.execute(
                delete(HomeEntry).where(
                    or_(HomeEntry.status_id == status_id, HomeEntry.reblog_of_id == status_id)
                )
            )
            await session.commit()

    async def is_live(self, owner_id: int) -> bool:
        return True  # rows in SQL are never lost

    @contextlib.asynccontextmanager
    async def rebuild_lock(self, owner_id: int) -> AsyncIterator[bool]:
        yield False

    async def fill(self, owner_id: int, entries: Sequence[Fill]) -> None:
        raise NotImplementedError("SQL timelines are never rebuilt")

    async def note_posted(self, author_ids: Sequence[int]) -> None:
        return None  # no tokens: readers query SQL for big accounts on every read

    async def merge_state(
        self, owner_id: int, author_ids: Sequence[int]
    ) -> dict[int, tuple[MergeMark | None, str | None]]:
        if not author_ids:
            return {}
        async with self.db.read() as session:
            rows = await session.execute(
                select(HomeEntry.author_id, func.max(HomeEntry.status_id))
                .where(HomeEntry.owner_id == owner_id, HomeEntry.author_id.in_(author_ids))
                .group_by(HomeEntry.author_id)
            )
            newest: dict[int, int] = {author: status_id for author, status_id in rows}
        return {
            author: (MergeMark(newest[author]) if author in newest else None, None)
            for author in author_ids
        }

    async def set_merge_mark(self, owner_id: int, author_id: int, mark: MergeMark) -> None:
        return None  # derived from the entries themselves


def _insert(db: Database, table: type) -> sqlite.Insert | postgresql.Insert:
    return sqlite.insert(table) if db.is_sqlite else postgresql.insert(table)
