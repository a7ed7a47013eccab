"""Rebuilding a home or list timeline from SQL when it is not live (never read, idle past
its TTL, or the cache lost), by the one rule of recipients.py.

It goes through the store's own cursor, so what it adds becomes visible in the same
order as any delivery and the exactly-once property holds for it too.

The same rule puts one author's posts back where a rebuild would place them, in a
timeline that stayed live while they were out of it (a lifted suspension:
``restore_home_author``, ``restore_list_author``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select

from roost.core.ids import id_to_unix_ms, lowest_id_at
from roost.statuses.models import Status
from roost.timelines.cursors import seq_at_status
from roost.timelines.recipients import home_statuses, list_statuses
from roost.timelines.store import Fill, TimelineStore

if TYPE_CHECKING:
    from roost.runtime import Runtime

# Posts younger than this get fresh cursors when a timeline is rebuilt: a post whose
# delivery was still queued when the cache was lost must not fall behind a client's
# cursor. The price: after a cache loss a client may see the last minute again.
RECENT_MS = 60_000


async def ensure_home(runtime: Runtime, owner_id: int) -> None:
    """Make the owner's timeline live, rebuilding it from SQL once if it is not."""
    await _ensure(runtime.timelines, owner_id, lambda: home_from_sql(runtime, owner_id))


async def ensure_list(runtime: Runtime, list_id: int, owner_id: int) -> None:
    """Make a list's timeline live, rebuilding it from SQL once if it is not."""
    await _ensure(
        runtime.list_timelines, list_id, lambda: list_from_sql(runtime, list_id, owner_id)
    )


async def _ensure(
    store: TimelineStore, owner_id: int, from_sql: Callable[[], Awaitable[list[Fill]]]
) -> None:
    if await store.is_live(owner_id):
        return
    async with store.rebuild_lock(owner_id) as mine:
        if not mine and await store.is_live(owner_id):
            return  # another reader rebuilt it while we waited
        # Live first, so deliveries land while we read SQL; fill never overwrites them.
        await store.fill(owner_id, [])
        await store.fill(owner_id, await from_sql())


async def home_from_sql(runtime: Runtime, owner_id: int) -> list[Fill]:
    return await _fills(runtime, home_statuses(owner_id))


async def list_from_sql(runtime: Runtime, list_id: int, owner_id: int) -> list[Fill]:
    return await _fills(runtime, list_statuses(list_id, owner_id))


async def restore_home_author(runtime: Runtime, *, owner_id: int, author_id: int) -> None:
    """Put the author's posts that the home rule admits back into the owner's home, as
    many as a timeline holds (``timeline_cap``), each at the cursor of the moment it
    was posted: the timeline reads as if they had never left it."""
    fills = await _in_place(runtime, home_statuses(owner_id, author_id=author_id))
    await runtime.timelines.restore_author(owner_id, author_id, fills)


async def restore_list_author(
    runtime: Runtime, *, list_id: int, owner_id: int, author_id: int
) -> None:
    """The same for a list the author is a member of, by the list's rule."""
    fills = await _in_place(runtime, list_statuses(list_id, owner_id, author_id=author_id))
    await runtime.list_timelines.restore_author(list_id, author_id, fills)


async def _rows(
    runtime: Runtime, statuses: Select[int, int | None]
) -> list[tuple[int, int | None]]:
    """The newest ``timeline_cap`` of ``statuses``, oldest first, one appearance per post."""
    query = statuses.order_by(Status.id.desc()).limit(runtime.settings.timeline_cap)
    # On the primary (``read()``, not ``may_lag``): the timeline is live once filled, and
    # what a lagging replica lacked would be missing from it for good.
    async with runtime.db.read() as session:
        rows = list((await session.execute(query)).all())
    return one_appearance(reversed(rows), set())


async def _in_place(runtime: Runtime, statuses: Select[int, int | None]) -> list[Fill]:
    """Fills at the cursors of the moments the statuses were posted (a later one where
    two share a millisecond, so each has its own)."""
    fills: list[Fill] = []
    last = 0
    for status_id, reblog_of_id in await _rows(runtime, statuses):
        last = max(seq_at_status(status_id), last + 1)
        fills.append(Fill(status_id=status_id, seq=last, reblog_of_id=reblog_of_id))
    return fills


async def _fills(runtime: Runtime, statuses: Select[int, int | None]) -> list[Fill]:
    rows = await _rows(runtime, statuses)
    recent_floor = lowest_id_at(id_to_unix_ms(max((r[0] for r in rows), default=0)) - RECENT_MS)
    fills: list[Fill] = []
    for status_id, reblog_of_id in rows:  # oldest first
        seq = None if status_id >= recent_floor else seq_at_status(status_id)
        fills.append(Fill(status_id=status_id, seq=seq, reblog_of_id=reblog_of_id))
    return fills


def one_appearance(rows: Iterable[Sequence[Any]], shown: set[int]) -> list[tuple[int, int | None]]:
    """``(id, reblog_of_id)`` rows, oldest first, without the boosts of a post the
    timeline shows already: one appearance per post, as delivery keeps it. ``shown``
    holds the posts shown before these rows, and is updated."""
    kept: list[tuple[int, int | None]] = []
    for status_id, reblog_of_id in rows:
        if reblog_of_id is not None and reblog_of_id in shown:
            continue
        shown.add(reblog_of_id or status_id)
        kept.append((status_id, reblog_of_id))
    return kept
