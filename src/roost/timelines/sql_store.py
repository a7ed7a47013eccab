"""Timelines as rows in SQL: the embedded default store (see store.py for the
interface and cursors.py for why each entry carries its own cursor)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from roost.core.db import Database
from roost.core.paging import Window
from roost.timelines.cursors import now_seq
from roost.timelines.models import HomeEntry, HomeFeed, ListEntry, ListFeed
from roost.timelines.store import Added, Delivery, Entry, Fill, MergeMark


class DatabaseTimelineStore:
    """Timelines as rows in SQL: the embedded default, durable, never trimmed.

    One instance keeps home timelines (``home_entries``), another list timelines
    (``list_entries``, owner = the list's id): the same rules over other tables.
    """

    def __init__(self, db: Database, *, lists: bool = False) -> None:
        self.db = db
        self.entry: type[HomeEntry] | type[ListEntry] = ListEntry if lists else HomeEntry
        self.feed: type[HomeFeed] | type[ListFeed] = ListFeed if lists else HomeFeed

    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> Added:
        owners = sorted(set(owner_ids))  # one lock order everywhere: no deadlocks
        if delivery.reblog_of_author_id is not None:
            # Nobody needs to see a boost of their own post in their own feed.
            owners = [o for o in owners if o != delivery.reblog_of_author_id]
        if not owners:
            return Added()
        async with self.db.write() as session:
            if delivery.reblog_of_id is not None:
                # One appearance per post: skip timelines that already show it or a boost of it.
                shown = await session.scalars(
                    select(self.entry.owner_id).where(
                        self.entry.owner_id.in_(owners),
                        or_(
                            self.entry.status_id == delivery.reblog_of_id,
                            self.entry.reblog_of_id == delivery.reblog_of_id,
                        ),
                    )
                )
                already = set(shown.all())
                owners = [o for o in owners if o not in already]
                if not owners:
                    return Added()
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
            insert = _insert(self.db, self.entry).on_conflict_do_nothing(
                index_elements=["owner_id", "status_id"]
            )
            result = await session.execute(insert.returning(self.entry.owner_id), rows)
            added = Added(result.scalars())
            await session.commit()
            return added

    def _advance_heads(self, owners: list[int]) -> Any:
        """Take the next seq of each timeline, locking its head row until commit."""
        now = now_seq()
        insert = _insert(self.db, self.feed).values(
            [{"owner_id": o, "last_seq": now} for o in owners]
        )
        greatest = func.max if self.db.is_sqlite else func.greatest
        return insert.on_conflict_do_update(
            index_elements=["owner_id"],
            set_={"last_seq": greatest(self.feed.last_seq + 1, insert.excluded.last_seq)},
        ).returning(self.feed.owner_id, self.feed.last_seq)

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
        query = select(self.entry.seq, self.entry.status_id).where(self.entry.owner_id == owner_id)
        async with self.db.read() as session:
            rows = (await session.execute(window.bound(query, self.entry.seq))).all()
        return window.newest_first([Entry(seq, status_id) for seq, status_id in rows])

    async def seq_of(self, owner_id: int, status_id: int) -> int | None:
        async with self.db.read() as session:
            return await session.scalar(
                select(self.entry.seq).where(
                    self.entry.owner_id == owner_id,
                    or_(self.entry.status_id == status_id, self.entry.reblog_of_id == status_id),
                )
            )

    async def remove_author(self, owner_id: int, author_id: int) -> None:
        async with self.db.write() as session:
            await session.execute(
                delete(self.entry).where(
                    and_(self.entry.owner_id == owner_id, self.entry.author_id == author_id)
                )
            )
            await session.commit()

    async def remove_entries(self, owner_id: int, status_ids: Sequence[int]) -> None:
        if not status_ids:
            return
        async with self.db.write() as session:
            await session.execute(
                delete(self.entry).where(
                    self.entry.owner_id == owner_id, self.entry.status_id.in_(list(status_ids))
                )
            )
            await session.commit()

    async def remove_status(self, status_id: int, owner_ids: Sequence[int] = ()) -> None:
        async with self.db.write() as session:
            await session.execute(
                delete(self.entry).where(
                    or_(self.entry.status_id == status_id, self.entry.reblog_of_id == status_id)
                )
            )
            await session.commit()

    async def drop(self, owner_id: int) -> None:
        async with self.db.write() as session:
            await session.execute(delete(self.entry).where(self.entry.owner_id == owner_id))
            await session.execute(delete(self.feed).where(self.feed.owner_id == owner_id))
            await session.commit()

    async def is_live(self, owner_id: int) -> bool:
        return True  # rows in SQL are never lost

    @contextlib.asynccontextmanager
    async def rebuild_lock(self, owner_id: int) -> AsyncIterator[bool]:
        yield False

    async def fill(self, owner_id: int, entries: Sequence[Fill]) -> None:
        raise NotImplementedError("SQL timelines are never rebuilt")

    async def restore_author(self, owner_id: int, author_id: int, entries: Sequence[Fill]) -> None:
        """Insert the entries at their cursors (every timeline here is live, and never
        trimmed). A boost is left out where its original, or a boost of it, is shown
        already (one appearance per post, as in ``deliver``); an entry whose cursor
        another holds already is skipped, as a delivery there would be."""
        if any(entry.seq is None for entry in entries):
            raise ValueError("restored entries keep cursors of their own")
        if not entries:
            return
        async with self.db.write() as session:
            originals = [e.reblog_of_id for e in entries if e.reblog_of_id is not None]
            shown: set[int] = set()
            if originals:
                found = await session.execute(
                    select(self.entry.status_id, self.entry.reblog_of_id).where(
                        self.entry.owner_id == owner_id,
                        or_(
                            self.entry.status_id.in_(originals),
                            self.entry.reblog_of_id.in_(originals),
                        ),
                    )
                )
                shown = {reblog_of or status_id for status_id, reblog_of in found.all()}
            rows = [
                {
                    "owner_id": owner_id,
                    "seq": entry.seq,
                    "status_id": entry.status_id,
                    "author_id": author_id,
                    "reblog_of_id": entry.reblog_of_id,
                }
                for entry in entries
                if entry.reblog_of_id not in shown
            ]
            if rows:
                await session.execute(_insert(self.db, self.entry).on_conflict_do_nothing(), rows)
            await session.commit()

    async def note_posted(self, author_ids: Sequence[int]) -> None:
        return None  # no tokens: readers query SQL for big accounts on every read

    async def merge_state(
        self, owner_id: int, author_ids: Sequence[int]
    ) -> dict[int, tuple[MergeMark | None, str | None]]:
        if not author_ids:
            return {}
        async with self.db.read() as session:
            rows = await session.execute(
                select(self.entry.author_id, func.max(self.entry.status_id))
                .where(self.entry.owner_id == owner_id, self.entry.author_id.in_(author_ids))
                .group_by(self.entry.author_id)
            )
            newest: dict[int, int] = {author: status_id for author, status_id in rows}
        return {
            author: (MergeMark(newest[author]) if author in newest else None, None)
            for author in author_ids
        }

    async def set_merge_mark(self, owner_id: int, author_id: int, mark: MergeMark) -> None:
        return None  # derived from the entries themselves


def _insert(db: Database, table: type[Any]) -> sqlite.Insert | postgresql.Insert:
    return sqlite.insert(table) if db.is_sqlite else postgresql.insert(table)
