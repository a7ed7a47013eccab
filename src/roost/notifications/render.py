"""The Mastodon Notification entity, rendered for a whole page at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.http import iso
from roost.filters.applied import apply_filters
from roost.notifications.grouping import shown_key
from roost.notifications.groups import Group
from roost.notifications.models import Notification
from roost.notifications.requests import Request
from roost.reports.render import render_reports
from roost.statuses.render import load_statuses, render_statuses

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def render_notifications(
    session: AsyncSession,
    notifications: Sequence[Notification],
    viewer_id: int,
    *,
    runtime: Runtime,
) -> list[dict[str, Any]]:
    if not notifications:
        return []
    actors = {
        a.id: a
        for a in (
            await session.scalars(
                select(Account).where(Account.id.in_({n.from_account_id for n in notifications}))
            )
        ).all()
    }
    statuses = await load_statuses(
        session, (n.status_id for n in notifications if n.status_id is not None)
    )
    ordered = list(statuses.values())
    base_url = runtime.settings.base_url
    rendered = {
        int(item["id"]): item
        for item in await render_statuses(session, ordered, viewer_id, runtime=runtime)
    }
    reports = await render_reports(
        session, [n.report_id for n in notifications if n.report_id is not None], base_url=base_url
    )
    items = [
        {
            "id": str(n.id),
            "type": n.type,
            "created_at": iso(n.created_at),
            "group_key": shown_key(n),
            "account": render_account(actors[n.from_account_id], base_url=base_url),
            "status": rendered.get(n.status_id) if n.status_id is not None else None,
            **_report_of(n, reports),
        }
        for n in notifications
        if n.from_account_id in actors
    ]
    # A notification about a post a filter hides is left out, as the post would be.
    return await apply_filters(
        session,
        items,
        runtime=runtime,
        viewer_id=viewer_id,
        context="notifications",
        status_of=_status_of,
    )


def _report_of(
    notification: Notification, reports: dict[int, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``{"report": Report}`` for an ``admin.report`` notification, else nothing (the
    field is attached only to that type)."""
    if notification.report_id is None or notification.report_id not in reports:
        return {}
    return {"report": reports[notification.report_id]}


def _status_of(notification: dict[str, Any]) -> dict[str, Any] | None:
    status: dict[str, Any] | None = notification["status"]
    return status


async def render_groups(
    session: AsyncSession,
    groups: Sequence[Group],
    viewer_id: int,
    *,
    runtime: Runtime,
) -> dict[str, Any]:
    """GroupedNotificationsResults: the groups, and every account and status they name
    (each once). A group about a post the viewer's filters hide is left out, as the
    post would be (the v1 list does the same)."""
    status_ids = list(
        dict.fromkeys(
            g.notification.status_id for g in groups if g.notification.status_id is not None
        )
    )
    loaded = await load_statuses(session, status_ids)
    ordered = [loaded[i] for i in status_ids if i in loaded]
    statuses = await render_statuses(
        session, ordered, viewer_id, runtime=runtime, context="notifications"
    )
    shown = {int(s["id"]) for s in statuses}
    kept = [g for g in groups if g.notification.status_id in (None, *shown)]
    account_ids = list(dict.fromkeys(a for g in kept for a in g.sample_account_ids))
    accounts = {
        a.id: a
        for a in (await session.scalars(select(Account).where(Account.id.in_(account_ids)))).all()
    }
    base_url = runtime.settings.base_url
    reports = await render_reports(
        session,
        [g.notification.report_id for g in kept if g.notification.report_id is not None],
        base_url=base_url,
    )
    return {
        "accounts": [
            render_account(accounts[i], base_url=base_url) for i in account_ids if i in accounts
        ],
        "statuses": statuses,
        "notification_groups": [
            _render_group(g) | _report_of(g.notification, reports) for g in kept
        ],
    }


def _render_group(group: Group) -> dict[str, Any]:
    notification = group.notification
    rendered: dict[str, Any] = {
        "group_key": group.key,
        "notifications_count": group.count,
        "type": notification.type,
        "most_recent_notification_id": str(group.most_recent_id),
    }
    if group.page_min_id is not None and group.page_max_id is not None:
        rendered["page_min_id"] = str(group.page_min_id)
        rendered["page_max_id"] = str(group.page_max_id)
    if group.latest_page_at is not None:
        rendered["latest_page_notification_at"] = iso(group.latest_page_at)
    rendered["sample_account_ids"] = [str(a) for a in group.sample_account_ids]
    if notification.status_id is not None:
        rendered["status_id"] = str(notification.status_id)
    return rendered


async def render_requests(
    session: AsyncSession,
    requests: Sequence[Request],
    viewer_id: int,
    *,
    runtime: Runtime,
) -> list[dict[str, Any]]:
    """NotificationRequest entities, a page at once."""
    if not requests:
        return []
    accounts = {
        a.id: a
        for a in (
            await session.scalars(
                select(Account).where(Account.id.in_({r.from_account_id for r in requests}))
            )
        ).all()
    }
    loaded = await load_statuses(
        session, (r.last_status_id for r in requests if r.last_status_id is not None)
    )
    ordered = list(loaded.values())
    statuses = {
        int(item["id"]): item
        for item in await render_statuses(session, ordered, viewer_id, runtime=runtime)
    }
    base_url = runtime.settings.base_url
    rendered = []
    for request in requests:
        if request.from_account_id not in accounts:
            continue
        item: dict[str, Any] = {
            "id": str(request.id),
            "created_at": iso(request.created_at),
            "updated_at": iso(request.updated_at),
            "account": render_account(accounts[request.from_account_id], base_url=base_url),
            "notifications_count": str(request.count),
        }
        if request.last_status_id in statuses:
            item["last_status"] = statuses[request.last_status_id]
        rendered.append(item)
    return rendered
