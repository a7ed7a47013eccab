"""The Report entity (what the reporter and the ``admin.report`` notification show),
rendered for many reports at once: two queries whatever their number. What moderators
see, Admin::Report, is ``admin_render.py``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.http import iso
from roost.reports.models import Report, ReportStatus


async def status_ids_of(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, list[int]]:
    """The ids of the posts each report names, in id order (a report's rows carry no
    order of their own), one query."""
    found: dict[int, list[int]] = defaultdict(list)
    if report_ids:
        rows = await session.execute(
            select(ReportStatus.report_id, ReportStatus.status_id)
            .where(ReportStatus.report_id.in_(list(report_ids)))
            .order_by(ReportStatus.status_id)
        )
        for report_id, status_id in rows.all():
            found[report_id].append(status_id)
    return found


def render_report(
    report: Report, status_ids: list[int], target: Account, *, base_url: str
) -> dict[str, Any]:
    return {
        "id": str(report.id),
        "action_taken": report.action_taken,
        "action_taken_at": iso(report.action_taken_at) if report.action_taken_at else None,
        "category": report.category,
        "comment": report.comment,
        "forwarded": False,  # no federation: there is no remote admin to forward to
        "created_at": iso(report.created_at),
        "status_ids": [str(i) for i in status_ids],
        "rule_ids": [str(i) for i in report.rule_ids] if report.rule_ids else None,
        "target_account": render_account(target, base_url=base_url),
    }


async def render_reports(
    session: AsyncSession, report_ids: Sequence[int], *, base_url: str
) -> dict[int, dict[str, Any]]:
    """Report entities by id; a report gone meanwhile is left out."""
    wanted = list(set(report_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(Report, Account)
        .join(Account, Account.id == Report.target_account_id)
        .where(Report.id.in_(wanted))
    )
    pairs = rows.all()
    posts = await status_ids_of(session, [report.id for report, _ in pairs])
    return {
        report.id: render_report(report, posts[report.id], target, base_url=base_url)
        for report, target in pairs
    }
