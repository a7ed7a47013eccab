"""Grouped notifications (``/api/v2/notifications``), read over the same rows and the
same filters as the plain list (``service.shown_notifications``).

A page is Mastodon's: reading newest first (or, with ``min_id``, upwards), the first
notification met of each group stands for it, until ``limit`` groups are found. The
page spans the ids from the oldest to the newest of those; each group tells how many
notifications it holds in all, which of them fall in the page (``page_min_id``,
``page_max_id``), and who most recently caused them. A group can reach over more than
one page (its older part shows again further down), as in Mastodon; the last page
(fewer groups than asked for) spans on to the end of what was asked.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit
from roost.core.errors import NotFound
from roost.core.inputs import MAX_ID, id_or_none
from roost.core.paging import Page, Window
from roost.notifications.grouping import UNGROUPED, shown_key
from roost.notifications.models import Notification
from roost.notifications.service import shown_notifications

SAMPLE_ACCOUNTS = 8
SCAN_BATCH = 200


@dataclass
class Group:
    """One notification group as the API shows it (NotificationGroup)."""

    key: str
    notification: Notification  # the one that stands for it: type, status
    count: int = 1
    most_recent_id: int = 0
    sample_account_ids: list[int] = field(default_factory=list)
    page_min_id: int | None = None
    page_max_id: int | None = None
    latest_page_at: datetime | None = None


@dataclass(frozen=True)
class Filters:
    types: Collection[str] | None = None
    exclude_types: Collection[str] | None = None
    account_id: int | None = None
    include_filtered: bool = False


async def _shown(session: AsyncSession, viewer_id: int, filters: Filters) -> Select[Notification]:
    return await shown_notifications(
        session,
        viewer_id,
        types=filters.types,
        exclude_types=filters.exclude_types,
        account_id=filters.account_id,
        include_filtered=filters.include_filtered,
    )


async def list_notification_groups(
    *,
    session: AsyncSession,
    viewer_id: int,
    filters: Filters,
    grouped_types: Collection[str] | None,
    window: Window,
) -> Page[Group]:
    """One page of groups, newest first; the Link cursors are the ids of the
    notifications that stand for the first and last group."""
    query = await _shown(session, viewer_id, filters)
    found: dict[str, Notification] = {}
    scan = Window(window.max_id, window.since_id, window.min_id, SCAN_BATCH)
    while len(found) < window.limit:
        rows = list((await session.scalars(scan.bound(query, Notification.id))).all())
        for notification in rows:
            found.setdefault(shown_key(notification, grouped_types), notification)
            if len(found) == window.limit:
                break
        if len(rows) < SCAN_BATCH:
            break
        ids = [n.id for n in rows]
        scan = scan.past(newest=max(ids), oldest=min(ids))
    if not found:
        return Page(items=[])
    ordered = sorted(found.items(), key=lambda item: item[1].id, reverse=True)
    ids = [n.id for _, n in ordered]
    low, high = min(ids), max(ids)
    if len(found) < window.limit:  # the last page that way: it reaches to the window's end
        if window.upwards:
            high = window.below - 1 if window.below is not None else MAX_ID
        else:
            low = window.above + 1 if window.above is not None else 0
    groups = await _groups(session, query, ordered, grouped_types, page_range=(low, high))
    return Page.of(groups, ids)


async def get_notification_group(*, session: AsyncSession, viewer_id: int, group_key: str) -> Group:
    query = await _shown(session, viewer_id, Filters(include_filtered=True))
    newest = await session.scalar(
        _in_group(query, group_key).order_by(Notification.id.desc()).limit(1)
    )
    if newest is None:
        raise NotFound()
    return (await _groups(session, query, [(group_key, newest)], None, page_range=None))[0]


async def group_accounts(*, session: AsyncSession, viewer_id: int, group_key: str) -> list[Account]:
    """Everyone who caused a notification of the group, the most recent first."""
    query = await _shown(session, viewer_id, Filters(include_filtered=True))
    rows = await session.execute(
        _in_group(query, group_key)
        .with_only_columns(Notification.from_account_id, func.max(Notification.id))
        .group_by(Notification.from_account_id)
        .order_by(func.max(Notification.id).desc())
    )
    ids = [account_id for account_id, _ in rows.all()]
    if not ids:
        raise NotFound()
    accounts = {a.id: a for a in await session.scalars(select(Account).where(Account.id.in_(ids)))}
    return [accounts[i] for i in ids if i in accounts]


async def dismiss_notification_group(
    *, session: AsyncSession, viewer_id: int, group_key: str
) -> None:
    """Forget every notification of the group (none: nothing to do, as in Mastodon)."""
    await session.execute(
        delete(Notification).where(Notification.account_id == viewer_id, _key_is(group_key))
    )
    await commit(session)


def _key_is(group_key: str) -> ColumnElement[bool]:
    if group_key.startswith(UNGROUPED):
        notification_id = id_or_none(group_key.removeprefix(UNGROUPED))
        return Notification.id == (notification_id or 0)
    return Notification.group_key == group_key


def _in_group(query: Select[Notification], group_key: str) -> Select[Notification]:
    return query.where(_key_is(group_key))


async def _groups(
    session: AsyncSession,
    query: Select[Notification],
    standing: Sequence[tuple[str, Notification]],
    grouped_types: Collection[str] | None,
    *,
    page_range: tuple[int, int] | None,
) -> list[Group]:
    """The groups of ``standing`` (key, the notification that stands for it), with
    their counts, samples, and (on a page) what of each falls in the page."""
    groups = [
        Group(
            key=key,
            notification=n,
            most_recent_id=n.id,
            sample_account_ids=[n.from_account_id],
            page_min_id=n.id if page_range else None,
            page_max_id=n.id if page_range else None,
            latest_page_at=n.created_at if page_range else None,
        )
        for key, n in standing
    ]
    keys = [g.key for g in groups if not g.key.startswith(UNGROUPED)]
    if not keys:
        return groups
    members = query.where(Notification.group_key.in_(keys))
    columns = [
        Notification.group_key,
        func.count(),
        func.max(Notification.id),
    ]
    if page_range is not None:
        low, high = page_range
        within = and_(Notification.id >= low, Notification.id <= high)
        columns += [
            func.min(case((within, Notification.id))),
            func.max(case((within, Notification.id))),
            func.max(case((within, Notification.created_at))),
        ]
    stats: dict[Any, Any] = {
        row[0]: row[1:]
        for row in (
            await session.execute(
                members.with_only_columns(*columns).group_by(Notification.group_key)
            )
        ).all()
    }
    rank = (
        func.row_number()
        .over(partition_by=Notification.group_key, order_by=Notification.id.desc())
        .label("rank")
    )
    recent = members.with_only_columns(
        Notification.group_key, Notification.from_account_id, Notification.id, rank
    ).subquery()
    samples: dict[str, list[int]] = {}
    for key, account_id in (
        await session.execute(
            select(recent.c.group_key, recent.c.from_account_id)
            .where(recent.c.rank <= SAMPLE_ACCOUNTS * 4)
            .order_by(recent.c.group_key, recent.c.id.desc())
        )
    ).all():
        accounts = samples.setdefault(key, [])
        if account_id not in accounts and len(accounts) < SAMPLE_ACCOUNTS:
            accounts.append(account_id)
    for group in groups:
        if group.key not in stats:
            continue
        count, most_recent, *page = stats[group.key]
        group.count = int(str(count))
        group.most_recent_id = int(str(most_recent))
        group.sample_account_ids = samples.get(group.key, group.sample_account_ids)
        if page:
            group.page_min_id, group.page_max_id, latest = page
            if isinstance(latest, str):  # SQLite hands back an aggregate's datetime as text
                latest = datetime.fromisoformat(latest)
            group.latest_page_at = latest
    return groups


async def count_notifications(
    *,
    session: AsyncSession,
    viewer_id: int,
    since_id: int,
    filters: Filters,
    grouped_types: Collection[str] | None = None,
    grouped: bool = False,
    limit: int,
) -> int:
    """How many notifications newer than ``since_id`` may be shown (with ``grouped``:
    how many groups they make), counting at most ``limit`` notifications."""
    query = (await _shown(session, viewer_id, filters)).where(Notification.id > since_id)
    rows = list((await session.scalars(query.order_by(Notification.id.desc()).limit(limit))).all())
    if not grouped:
        return len(rows)
    return len({shown_key(n, grouped_types) for n in rows})
