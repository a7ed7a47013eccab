"""Notifications: created by the services of other features, read and dismissed here.

``notify`` is called inside the transaction of the action it reports (a follow,
a favourite, a boost, a mention, an edit of a boosted post), so the notification
commits with it or not at all. Nothing about a post in a conversation the recipient
muted (statuses/conversation_mutes.py) is notified, nor anything from an actor that
moderation withholds from the recipient (statuses/visibility.withheld: suspended, or
silenced and not followed); listings leave out, by the same rule, what such an actor
did before its suspension or silencing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from prometheus_client import Counter
from sqlalchemy import ColumnElement, Select, and_, delete, exists, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import after_commit, commit, utcnow
from roost.core.errors import NotFound
from roost.core.ids import new_id
from roost.core.paging import Page, Window, paginate
from roost.follows.relations import (
    blocked_either_way,
    blocked_either_way_of,
    mutes_notifications,
    muting_notifications_of,
)
from roost.notifications.grouping import group_key_for
from roost.notifications.models import (
    TYPES,
    Notification,
    NotificationPermission,
    NotificationPolicy,
)
from roost.notifications.policy import decide
from roost.statuses.models import ConversationMute, Status
from roost.statuses.visibility import visible_to, withheld
from roost.streaming.publish import publish_notification

if TYPE_CHECKING:
    from roost.runtime import Runtime

NOTIFICATIONS_SENT = Counter(
    "roost_notifications_sent_total",
    "Notifications delivered (committed, not held back by the notification policy), by type",
    ["type"],
)


async def notify(
    *,
    session: AsyncSession,
    runtime: Runtime,
    recipient_id: int,
    actor_id: int,
    type: str,
    status_id: int | None = None,
    report_id: int | None = None,
) -> Notification | None:
    """Tell ``recipient_id`` that ``actor_id`` did ``type`` (about a post, or a report);
    None when it must not be told. Their open streams hear of it once ``session``
    commits."""
    if type not in TYPES:
        raise ValueError(f"unknown notification type {type!r}")
    if recipient_id == actor_id and type != "poll":  # an author hears of their poll's end
        return None
    if await blocked_either_way(session, one=recipient_id, other=actor_id):
        return None
    if await mutes_notifications(session, muter=recipient_id, muted=actor_id):
        return None
    same = (
        Notification.status_id.is_(None)
        if status_id is None
        else (Notification.status_id == status_id)
    )
    same_report = (
        Notification.report_id.is_(None)
        if report_id is None
        else (Notification.report_id == report_id)
    )
    duplicate = exists().where(
        Notification.account_id == recipient_id,
        Notification.from_account_id == actor_id,
        Notification.type == type,
        same,
        same_report,
    )
    # Whatever happens in a conversation the recipient muted is not news to them.
    muted = (
        exists().where(
            ConversationMute.account_id == recipient_id,
            ConversationMute.thread_id == Status.thread_id,
            Status.id == status_id,
        )
        if status_id is not None
        else literal(False)
    )
    # Moderation: nothing from a suspended actor, nor from a silenced one to someone
    # who does not follow it (Mastodon drops those).
    kept_from = withheld(literal(recipient_id), literal(actor_id))
    if any((await session.execute(select(duplicate, muted, kept_from))).one()):
        return None
    verdict = await decide(
        session, recipient_id=recipient_id, actor_id=actor_id, type=type, status_id=status_id
    )
    if verdict == "drop":
        return None
    now = utcnow()
    filtered = verdict == "filter"
    notification = Notification(
        id=new_id(),
        account_id=recipient_id,
        from_account_id=actor_id,
        type=type,
        status_id=status_id,
        report_id=report_id,
        created_at=now,
        filtered=filtered,
        group_key=None
        if filtered
        else await group_key_for(
            session, recipient_id=recipient_id, type=type, status_id=status_id, at=now
        ),
    )
    session.add(notification)
    if filtered:  # held back: no stream hears of it until the request is accepted
        return notification

    async def stream() -> None:
        NOTIFICATIONS_SENT.labels(type).inc()
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
    blocked either way nor muted with notifications, nor withheld by moderation (a
    suspension hides what it did, a silencing from those who do not follow it), and
    the viewer can still see the post."""
    blocked = await blocked_either_way_of(session, viewer_id)
    hidden_actors = blocked | await muting_notifications_of(session, viewer_id)
    actor_ok = and_(
        Notification.from_account_id.not_in(hidden_actors)
        if hidden_actors
        else Notification.id.is_not(None),
        ~withheld(viewer_id, Notification.from_account_id),
    )
    author_ok = Status.account_id.not_in(blocked) if blocked else Status.id.is_not(None)
    status_ok = or_(Notification.status_id.is_(None), and_(visible_to(viewer_id), author_ok))
    return and_(actor_ok, status_ok)


async def shown_notifications(
    session: AsyncSession,
    viewer_id: int,
    *,
    types: Collection[str] | None = None,
    exclude_types: Collection[str] | None = None,
    account_id: int | None = None,
    include_filtered: bool = False,
) -> Select[Notification]:
    """The viewer's notifications that may be shown, filtered as a client asked: every
    listing (a page, a group, a count) starts from this query."""
    query = (
        select(Notification)
        .outerjoin(Status, Status.id == Notification.status_id)
        .where(Notification.account_id == viewer_id)
        .where(await _still_shown(session, viewer_id))
    )
    if not include_filtered:
        query = query.where(Notification.filtered.is_(False))
    if types:
        query = query.where(Notification.type.in_([t for t in types if t in TYPES]))
    if exclude_types:
        query = query.where(Notification.type.not_in(list(exclude_types)))
    if account_id is not None:
        query = query.where(Notification.from_account_id == account_id)
    return query


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
    include_filtered: bool = False,
) -> Page[Notification]:
    """One page of the viewer's notifications, newest first, paged by their ids."""
    query = await shown_notifications(
        session,
        viewer_id,
        types=types,
        exclude_types=exclude_types,
        account_id=account_id,
        include_filtered=include_filtered,
    )
    return await paginate(
        session, query, key=Notification.id, page=Window(max_id, since_id, min_id, limit)
    )


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


async def forget_account(*, session: AsyncSession, account_id: int) -> None:
    """Every notification an account received or caused, and its notification policy and
    permissions, gone; the caller commits. For an account being deleted."""
    await session.execute(
        delete(Notification).where(
            or_(Notification.account_id == account_id, Notification.from_account_id == account_id)
        )
    )
    for model in (NotificationPolicy, NotificationPermission):
        await session.execute(delete(model).where(model.account_id == account_id))
    await session.execute(
        delete(NotificationPermission).where(NotificationPermission.from_account_id == account_id)
    )
