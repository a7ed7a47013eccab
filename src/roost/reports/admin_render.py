"""Mastodon's Admin::Report entity: a report as moderators see it, with the accounts
(as Admin::Account), the reported posts and the rules it names.

Apart from the Report entity (``render.py``) so that notifications, which show the
latter, do not depend on the instance's rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.admin_render import render_admin_account
from roost.accounts.models import Account
from roost.core.http import iso
from roost.instance.rules import rules_named
from roost.reports.models import Report
from roost.reports.render import status_ids_of
from roost.statuses.render import render_statuses

if TYPE_CHECKING:
    from roost.runtime import Runtime


@dataclass(frozen=True)
class _Ref:
    id: int


async def render_admin_reports(
    session: AsyncSession, reports: Sequence[Report], *, viewer_id: int, runtime: Runtime
) -> list[dict[str, Any]]:
    """Admin::Report entities, in order, in a fixed number of queries.

    ``statuses`` are the reported posts that still exist, rendered for the moderator
    whatever their visibility: reviewing them is what the report asks for, and only
    staff who manage reports reach this (the reporter could read each one when filing,
    ``service.file_report``). ``rules`` are the named rules the server still has."""
    if not reports:
        return []
    wanted = {
        i
        for r in reports
        for i in (
            r.account_id,
            r.target_account_id,
            r.assigned_account_id,
            r.action_taken_by_account_id,
        )  # fmt: skip
        if i is not None
    }
    rows = await session.scalars(select(Account).where(Account.id.in_(wanted)))
    base_url = runtime.settings.base_url
    accounts = {a.id: render_admin_account(a, base_url=base_url) for a in rows.all()}
    posts = await status_ids_of(session, [r.id for r in reports])
    every = list(dict.fromkeys(i for r in reports for i in posts[r.id]))
    shown = await render_statuses(session, [_Ref(i) for i in every], viewer_id, runtime=runtime)
    statuses = {int(s["id"]): s for s in shown}

    def admin(account_id: int | None) -> dict[str, Any] | None:
        return accounts.get(account_id) if account_id is not None else None

    return [
        {
            "id": str(r.id),
            "action_taken": r.action_taken,
            "action_taken_at": iso(r.action_taken_at) if r.action_taken_at else None,
            "category": r.category,
            "comment": r.comment,
            "forwarded": False,
            "created_at": iso(r.created_at),
            "updated_at": iso(r.updated_at),
            "account": admin(r.account_id),
            "target_account": admin(r.target_account_id),
            "assigned_account": admin(r.assigned_account_id),
            "action_taken_by_account": admin(r.action_taken_by_account_id),
            "statuses": [statuses[i] for i in posts[r.id] if i in statuses],
            "rules": [rule.render() for rule in rules_named(runtime.settings, r.rule_ids or [])],
        }
        for r in reports
    ]
