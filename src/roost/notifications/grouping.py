"""Which notifications share a group (Mastodon's ``Notification#set_group_key!``).

Favourites and boosts of one post, follows, and sign-ups (``admin.sign_up``, told to
staff) are grouped: a new one joins the group of the last one like it (same type,
same post) unless that group began ``MAXIMUM_GROUP_SPAN_HOURS`` or more hours before,
and then starts a new one. The key is ``<type>[-<status id>]-<hour bucket>``, the
bucket being the hour the group began. Every other type is shown on its own, as
``ungrouped-<id>``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.notifications.models import Notification

GROUPABLE_TYPES = ("favourite", "reblog", "follow", "admin.sign_up")
MAXIMUM_GROUP_SPAN_HOURS = 12
UNGROUPED = "ungrouped-"


def _prefix(type: str, status_id: int | None) -> str:
    return type if type == "follow" or status_id is None else f"{type}-{status_id}"


async def group_key_for(
    session: AsyncSession,
    *,
    recipient_id: int,
    type: str,
    status_id: int | None,
    at: datetime,
) -> str | None:
    """The key a new notification of ``type`` (about ``status_id``) takes, or None."""
    if type not in GROUPABLE_TYPES:
        return None
    prefix = _prefix(type, status_id)
    query = select(Notification.group_key).where(
        Notification.account_id == recipient_id,
        Notification.type == type,
        Notification.group_key.is_not(None),
    )
    query = query.where(
        Notification.status_id.is_(None)
        if status_id is None
        else Notification.status_id == status_id
    )
    last = await session.scalar(query.order_by(Notification.id.desc()).limit(1))
    bucket = int(at.timestamp()) // 3600
    if last is not None:
        previous = int(last.rsplit("-", 1)[1])
        if bucket < previous + MAXIMUM_GROUP_SPAN_HOURS:
            bucket = previous
    return f"{prefix}-{bucket}"


def shown_key(notification: Notification, grouped_types: Collection[str] | None = None) -> str:
    """The group a notification is shown in: its own key when its type is grouped (for
    a client that groups it: ``grouped_types``), else ``ungrouped-<id>``."""
    types = grouped_types if grouped_types else GROUPABLE_TYPES
    if notification.group_key is not None and notification.type in types:
        return notification.group_key
    return f"{UNGROUPED}{notification.id}"
