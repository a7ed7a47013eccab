"""Announcements from the server's operators: published with ``roost announce`` (Roost
has no admin screen yet), read by every signed-in app, dismissed and reacted to per
person. Reactions are unicode emoji only: Roost has no custom emoji.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from roost.announcements.models import Announcement, AnnouncementReaction, AnnouncementRead
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.http import iso
from roost.core.ids import new_id
from roost.statuses.formatting import to_html

MAX_TEXT = 5000
# Characters that join or modify emoji: ZWJ, variation selectors, keycap, tag characters.
_EMOJI_GLUE = {0x200D, 0xFE0E, 0xFE0F, 0x20E3, *range(0xE0020, 0xE0080)}


def is_unicode_emoji(name: str) -> bool:
    """Whether ``name`` is one emoji (a sequence of symbols and the marks joining them)."""
    if not name or len(name) > 16:
        return False
    symbols = 0
    for char in name:
        category = unicodedata.category(char)
        if category == "So":
            symbols += 1
        elif ord(char) not in _EMOJI_GLUE and category != "Sk" and char not in "#*0123456789":
            return False
    return symbols > 0 or "\u20e3" in name


async def publish_announcement(
    *,
    session: AsyncSession,
    text: str,
    base_url: str,
    domain: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    all_day: bool = False,
) -> Announcement:
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise Unprocessable(f"Validation failed: Text must be 1 to {MAX_TEXT} characters")
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise Unprocessable("Validation failed: Ends at must be after starts at")
    now = utcnow()
    announcement = Announcement(
        id=new_id(),
        text=text,
        content=to_html(text, {}, base_url=base_url, domain=domain),
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        published_at=now,
        updated_at=now,
    )
    session.add(announcement)
    await commit(session)
    return announcement


async def active_announcements(*, session: AsyncSession, viewer_id: int) -> list[dict[str, Any]]:
    """Announcements not ended yet, oldest first, each with ``read`` and the reactions."""
    rows = await session.scalars(
        select(Announcement)
        .where(or_(Announcement.ends_at.is_(None), Announcement.ends_at > utcnow()))
        .order_by(Announcement.id)
    )
    announcements = list(rows.all())
    ids = [a.id for a in announcements]
    if not ids:
        return []
    read = set(
        (
            await session.scalars(
                select(AnnouncementRead.announcement_id).where(
                    AnnouncementRead.account_id == viewer_id,
                    AnnouncementRead.announcement_id.in_(ids),
                )
            )
        ).all()
    )
    mine = func.sum(case((AnnouncementReaction.account_id == viewer_id, 1), else_=0))
    reactions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    counted = await session.execute(
        select(
            AnnouncementReaction.announcement_id,
            AnnouncementReaction.name,
            func.count(),
            mine,
        )
        .where(AnnouncementReaction.announcement_id.in_(ids))
        .group_by(AnnouncementReaction.announcement_id, AnnouncementReaction.name)
        .order_by(func.min(AnnouncementReaction.created_at))
    )
    for announcement_id, name, count, me in counted.all():
        reactions[announcement_id].append({"name": name, "count": count, "me": bool(me)})
    return [
        render_announcement(a, read=a.id in read, reactions=reactions[a.id]) for a in announcements
    ]


def render_announcement(
    announcement: Announcement, *, read: bool, reactions: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": str(announcement.id),
        "content": announcement.content,
        "starts_at": iso(announcement.starts_at) if announcement.starts_at else None,
        "ends_at": iso(announcement.ends_at) if announcement.ends_at else None,
        "published": True,
        "all_day": announcement.all_day,
        "published_at": iso(announcement.published_at),
        "updated_at": iso(announcement.updated_at),
        "read": read,
        "mentions": [],
        "statuses": [],
        "tags": [],
        "emojis": [],
        "reactions": reactions,
    }


async def _existing(session: AsyncSession, announcement_id: int) -> Announcement:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound()
    return announcement


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def dismiss_announcement(
    *, session: AsyncSession, viewer_id: int, announcement_id: int
) -> None:
    """Mark the announcement read for the viewer (again: no change)."""
    await _existing(session, announcement_id)
    await session.execute(
        _insert(session)(AnnouncementRead)
        .values(announcement_id=announcement_id, account_id=viewer_id)
        .on_conflict_do_nothing()
    )
    await commit(session)


async def add_reaction(
    *, session: AsyncSession, viewer_id: int, announcement_id: int, name: str
) -> None:
    await _existing(session, announcement_id)
    if not is_unicode_emoji(name):
        raise Unprocessable("Validation failed: Name is not a recognized emoji")
    await session.execute(
        _insert(session)(AnnouncementReaction)
        .values(
            announcement_id=announcement_id, account_id=viewer_id, name=name, created_at=utcnow()
        )
        .on_conflict_do_nothing()
    )
    await commit(session)


async def remove_reaction(
    *, session: AsyncSession, viewer_id: int, announcement_id: int, name: str
) -> None:
    await _existing(session, announcement_id)
    await session.execute(
        delete(AnnouncementReaction).where(
            AnnouncementReaction.announcement_id == announcement_id,
            AnnouncementReaction.account_id == viewer_id,
            AnnouncementReaction.name == name,
        )
    )
    await commit(session)
