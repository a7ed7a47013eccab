"""Notification requests (Mastodon's NotificationRequest): the filtered notifications
of one account, shown as one request until it is accepted or dismissed.

A request is read from the filtered notifications themselves, so it can never
disagree with them: its id is the id of the oldest of them (stable while it lasts),
``notifications_count`` how many there are, ``last_status`` the newest post among them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Subquery, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.errors import NotFound
from roost.core.paging import Page, Window, paginate
from roost.notifications import policy
from roost.notifications.models import Notification
from roost.notifications.service import shown_notifications


@dataclass(frozen=True)
class Request:
    id: int
    from_account_id: int
    count: int
    created_at: datetime
    updated_at: datetime
    last_status_id: int | None


async def _requests(session: AsyncSession, viewer_id: int) -> Subquery:
    filtered = (await shown_notifications(session, viewer_id, include_filtered=True)).where(
        Notification.filtered.is_(True)
    )
    return (
        filtered.with_only_columns(
            func.min(Notification.id).label("id"),
            Notification.from_account_id,
            func.count().label("count"),
            func.min(Notification.created_at).label("created_at"),
            func.max(Notification.created_at).label("updated_at"),
            func.max(Notification.status_id).label("last_status_id"),
        )
        .group_by(Notification.from_account_id)
        .subquery()
    )


def _request(row: tuple[object, ...]) -> Request:
    request_id, actor, count, created, updated, last_status = row
    return Request(
        id=int(str(request_id)),
        from_account_id=int(str(actor)),
        count=int(str(count)),
        created_at=_datetime(created),
        updated_at=_datetime(updated),
        last_status_id=int(str(last_status)) if last_status is not None else None,
    )


def _datetime(value: object) -> datetime:
    """SQLite hands back an aggregate's datetime as text."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


async def list_requests(*, session: AsyncSession, viewer_id: int, window: Window) -> Page[Request]:
    requests = await _requests(session, viewer_id)
    page = await paginate(session, select(*requests.c), key=requests.c.id, page=window)
    return page.with_items([_request(row) for row in page.items])


async def get_request(*, session: AsyncSession, viewer_id: int, request_id: int) -> Request:
    requests = await _requests(session, viewer_id)
    row = (await session.execute(select(*requests.c).where(requests.c.id == request_id))).first()
    if row is None:
        raise NotFound()
    return _request(tuple(row))


async def _actors(session: AsyncSession, viewer_id: int, request_ids: list[int]) -> list[int]:
    """The accounts whose requests these are (a request's id is one of its notifications)."""
    rows = await session.scalars(
        select(Notification.from_account_id).where(
            Notification.account_id == viewer_id,
            Notification.id.in_(request_ids),
            Notification.filtered.is_(True),
        )
    )
    return list(set(rows.all()))


async def accept_requests(*, session: AsyncSession, viewer_id: int, request_ids: list[int]) -> None:
    await policy.accept_requests(
        session=session,
        account_id=viewer_id,
        actor_ids=await _actors(session, viewer_id, request_ids),
    )


async def dismiss_requests(
    *, session: AsyncSession, viewer_id: int, request_ids: list[int]
) -> None:
    await policy.dismiss_requests(
        session=session,
        account_id=viewer_id,
        actor_ids=await _actors(session, viewer_id, request_ids),
    )


async def accept_request(*, session: AsyncSession, viewer_id: int, request_id: int) -> None:
    await get_request(session=session, viewer_id=viewer_id, request_id=request_id)
    await accept_requests(session=session, viewer_id=viewer_id, request_ids=[request_id])


async def dismiss_request(*, session: AsyncSession, viewer_id: int, request_id: int) -> None:
    await get_request(session=session, viewer_id=viewer_id, request_id=request_id)
    await dismiss_requests(session=session, viewer_id=viewer_id, request_ids=[request_id])
