"""Notifications: created by the services of other features, read and dismissed here.

``notify`` is called inside the transaction of the action it reports (a follow,
a favourite, a boost, a mention), so the notification commits with it or not at all.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import after_commit, commit
from roost.core.errors import NotFound
from roost.core.ids import new_id
from roost.follows.models import Block, Mute
from roost.notifications.models import TYPES, Notification
from roost.statuses.models import Status
from roost.statuses.visibility import visible_to
from roost.streaming.publish import publish_notification


async def notify(
    *,
    session: AsyncSession,
    recipient_id: int,
    actor_id: int,
    type: str,
    status_id: int | None = None,
) -> Notification | None:
    """Tell ``recipient_id`` that ``actor_id`` did ``type``; None when it must not be told."""
    if type not in TYPES:
        raise ValueError(f"unknown notification type {type!r}")
    if recipient_id == actor_id:
        return None
    blocked = await session.scalar(
        select(
            exists().where(
                or_(
                    and_(Block.account_id == recipient_id, Block.target_account_id == actor_id),
                    and_(Block.account_id == actor_id, Block.target_account_id == recipient_id),
                )
            )
        )
    )
    if blocked:
        return None
    muted = await session.scalar(
        select(
            exists().where(
                Mute.account_id == recipient_id,
                Mute.target_account_id == actor_id,
                Mute.hide_notifications.is_(True),
            )
        )
    )
    if muted:
        return None
    same = (
        Notification.status_id.is_(None)
        if status_id is None
        else (Notification.status_id == status_id)
    )
    duplicate = await session.scalar(
        select(
            exists().where(
                Notification.account_id == recipient_id,
                Notification.from_account_id == actor_id,
                Notification.type == type,
                same,
            )
        )
    )
    if duplicate:
        return None
    notification = Notification(
        id=new_id(),
        account_id=recipient_id,
        from_account_id=actor_id,
        type=type,
        status_id=status_id,
    )
    session.add(notification)
    runtime = session.info.get("runtime")
    if runtime is not None:

        async def stream() -> None:
            await publish_notification(runtime, recipient_id, notification.id)

        after_commit(session, stream)
    return notification


async def withdraw(
    *,
    session: AsyncSession,
    recipient_id: int,
    actor_id: int,
    type: str,
    status_id: int | None = None,
) -> None:
    """Remove a notification whose cause was undone (an unfavourite, an unboost, an unfollow)."""
    query = delete(Notification).where(
        Notification.account_id == recipient_id,
        Notification.from_account_id == actor_id,
        Notification.type == type,
    )
    if status_id is not None:
        query = query.where(Notification.status_id == status_id)
    await session.execute(query)


async def _still_shown(session: AsyncSession, viewer_id: int) -> ColumnElement[bool]:
    """SQL condition on ``Notification`` (outer-joined to ``Status``): the actor is not
    blocked either way nor muted with notifications, and the viewer can still see the post."""
    blocking = select(Block.target_account_id).where(Block.account_id == viewer_id)
    blocked_by = select(Block.account_id).where(Block.target_account_id == viewer_id)
    silenced = select(Mute.target_account_id).where(
        Mute.account_id == viewer_id, Mute.hide_notifications.is_(True)
    )
    blocked = set((await session.scalars(blocking.union(blocked_by))).all())
    hidden_actors = blocked | set((await session.scalars(silenced)).all())
    actor_ok = (
        Notification.from_account_id.not_in(hidden_actors)
        if hidden_actors
        else Notification.id.is_not(None)
    )
    author_ok = Status.account_id.not_in(blocked) if blocked else Status.id.is_not(None)
    status_ok = or_(Notification.status_id.is_(None), and_(visible_to(viewer_id), author_ok))
    return and_(actor_ok, status_ok)


async def list_notifications(
    *,
    session: AsyncSession,
    viewer_id: int,
    types: Collection[str] | None = None,
    exclude_types: Collection[str] | None = None,
    account_id: int | None = None,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 20,
) -> list[Notification]:
    """One page of the viewer's notifications, newest first."""
    query = (
        select(Notification)
        .outerjoin(Status, Status.id == Notification.status_id)
        .where(Notification.account_id == viewer_id)
        .where(await _still_shown(session, viewer_id))
    )
    if types:
        query = query.where(Notification.type.in_([t for t in types if t in TYPES]))
    if exclude_types:
        query = query.where(Notification.type.not_in(list(exclude_types)))
    if account_id is not None:
        query = query.where(Notification.from_account_id == account_id)
    if max_id is not None:
        query = query.where(Notification.id < max_id)
    if since_id is not None:
        query = query.where(Notification.id > since_id)
    if min_id is not None:
        query = query.where(Notification.id > min_id).order_by(Notification.id.asc())
    else:
        query = query.order_by(Notification.id.desc())
    rows = list((await session.scalars(query.limit(limit))).all())
    if min_id is not None:
        rows.reverse()
    return rows


async def get_notification(
    *, session: AsyncSession, viewer_id: int, notification_id: int
) -> Notification:
    notification = await session.scalar(
        select(Notification)
        .outerjoin(Status, Status.id == Notification.status_id)
        .where(Notification.id == notification_id, Notification.account_id == viewer_id)
        .where(await _still_shown(session, viewer_id))
    )
    if notification is None:
        raise NotFound()
    return notification


async def clear_notifications(*, session: AsyncSession, viewer_id: int) -> None:
    await session.execute(delete(Notification).where(Notification.account_id == viewer_id))
    await commit(session)


async def dismiss_notification(
    *, session: AsyncSession, viewer_id: int, notification_id: int
) -> None:
    result = await session.execute(
        delete(Notification).where(
            Notification.id == notification_id, Notification.account_id == viewer_id
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound()
    await commit(session)
