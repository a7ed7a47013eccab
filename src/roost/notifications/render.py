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
from roost.notifications.models import Notification
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
    rendered = dict(
        zip(
            (s.id for s in ordered),
            await render_statuses(session, ordered, viewer_id, runtime=runtime),
            strict=True,
        )
    )
    items = [
        {
            "id": str(n.id),
            "type": n.type,
            "created_at": iso(n.created_at),
            "group_key": f"ungrouped-{n.id}",
            "account": render_account(actors[n.from_account_id], base_url=base_url),
            "status": rendered.get(n.status_id) if n.status_id is not None else None,
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


def _status_of(notification: dict[str, Any]) -> dict[str, Any] | None:
    status: dict[str, Any] | None = notification["status"]
    return status
