"""Read markers (Mastodon's Marker entity): where a person stopped reading a timeline.

The notifications marker also drives the web page's unread count; the home page
moves the home marker when it is loaded and when new posts are shown.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import commit, utcnow
from roost.core.errors import Unprocessable
from roost.core.http import iso
from roost.markers.models import MARKER_TIMELINES, Marker
from roost.notifications.groups import Filters, count_notifications
from roost.timelines.cursors import cursor_for
from roost.timelines.store import TimelineStore

# The badge shows "99+" past this; counting further is work nobody reads.
UNREAD_CAP = 100


def render_marker(marker: Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": iso(marker.updated_at),
    }


async def read_markers(
    *, session: AsyncSession, account_id: int, timelines: Collection[str]
) -> dict[str, dict[str, Any]]:
    wanted = [t for t in MARKER_TIMELINES if t in set(timelines)]
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Marker).where(Marker.account_id == account_id, Marker.timeline.in_(wanted))
    )
    return {marker.timeline: render_marker(marker) for marker in rows.all()}


async def save_markers(
    *,
    session: AsyncSession,
    account_id: int,
    positions: Mapping[str, int],
    forward_only: bool = False,
) -> dict[str, dict[str, Any]]:
    """Set each timeline's marker (``forward_only``: never move one back)."""
    now = utcnow()
    dialect = session.get_bind().dialect.name
    for timeline, last_read_id in positions.items():
        if timeline not in MARKER_TIMELINES:
            raise ValueError(f"unknown timeline {timeline!r}")
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Marker)
        statement = insert.values(
            account_id=account_id,
            timeline=timeline,
            last_read_id=last_read_id,
            version=1,
            updated_at=now,
        )
        moved = statement.on_conflict_do_update(
            index_elements=["account_id", "timeline"],
            set_={
                "last_read_id": statement.excluded.last_read_id,
                "version": Marker.version + 1,
                "updated_at": statement.excluded.updated_at,
            },
            where=(Marker.last_read_id < statement.excluded.last_read_id) if forward_only else None,
        )
        await session.execute(moved)
    rows = await session.scalars(
        select(Marker)
        .where(Marker.account_id == account_id, Marker.timeline.in_(list(positions)))
        .execution_options(populate_existing=True)
    )
    result = {marker.timeline: render_marker(marker) for marker in rows.all()}
    await commit(session)
    return result


async def last_read(*, session: AsyncSession, account_id: int, timeline: str) -> int:
    value = await session.scalar(
        select(Marker.last_read_id).where(
            Marker.account_id == account_id, Marker.timeline == timeline
        )
    )
    return value or 0


async def advance_home_marker(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    timelines: TimelineStore,
    account_id: int,
    status_id: int,
) -> bool:
    """The reader saw ``status_id`` at the top of their home timeline: move the "home"
    marker there, unless it already points further up. Returns whether it moved.

    The marker holds a status id, as Mastodon apps expect (they look for that post);
    the API turns it into that post's exact timeline cursor when it comes back as
    ``min_id`` or ``max_id``. "Further up" is decided by cursors, not ids: a post whose
    delivery was late sits above newer ids, and another client may have saved a cursor.
    """
    seq = await timelines.seq_of(account_id, status_id)
    if seq is None:
        raise Unprocessable("That post is not in your home timeline.")
    current = await last_read(session=read_session, account_id=account_id, timeline="home")
    if current and seq <= (await cursor_for(timelines, account_id, current) or 0):
        return False
    await save_markers(session=write_session, account_id=account_id, positions={"home": status_id})
    return True


async def unread_notifications(
    *,
    session: AsyncSession,
    account_id: int,
    filters: Filters | None = None,
    grouped: bool = False,
    grouped_types: Collection[str] | None = None,
    limit: int = UNREAD_CAP,
) -> int:
    """Notifications newer than the marker that the person may still see, counted up
    to ``limit`` of them (with ``grouped``: the groups they make)."""
    since = await last_read(session=session, account_id=account_id, timeline="notifications")
    return await count_notifications(
        session=session,
        viewer_id=account_id,
        since_id=since,
        filters=filters or Filters(),
        grouped=grouped,
        grouped_types=grouped_types,
        limit=limit,
    )
