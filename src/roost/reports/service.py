"""Filing a report: someone tells the moderators about an account and some of its posts.

The report is stored for moderation tools to come; nothing acts on it yet. The rules:
the target must exist and be approved (else 404, as for any account), nobody reports
themselves, and every attached post must be the target's and one the reporter may read
(``statuses/lookup.py``, on the one policy of ``statuses/visibility.py``), so a report
cannot be used to learn that a hidden post exists. Roost has no instance rules
(``GET /api/v1/instance/rules`` is empty), so any ``rule_ids`` name unknown rules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.http import iso
from roost.core.ids import new_id
from roost.reports.models import Report, ReportStatus
from roost.statuses.lookup import get_many_visible

CATEGORIES = ("spam", "legal", "violation", "other")
MAX_COMMENT = 1000  # Mastodon's default
# Mastodon sets no limit; one keeps a huge list from one query (and the databases' bound
# parameter limits), far above what a client's report screen lets anyone pick.
MAX_STATUSES = 100


async def file_report(
    *,
    session: AsyncSession,
    reporter_id: int,
    target_id: int,
    status_ids: list[int],
    comment: str,
    category: str | None,
    rule_ids: list[int],
    forward: bool,
    base_url: str,
) -> dict[str, Any]:
    """Store the report and answer the Report entity."""
    target = await session.get(Account, target_id)
    if target is None or not target.approved:
        raise NotFound()
    if target.id == reporter_id:
        raise Unprocessable("Validation failed: Target account can't be yourself")
    if len(comment) > MAX_COMMENT:
        raise Unprocessable(
            f"Validation failed: Comment is too long (maximum is {MAX_COMMENT} characters)"
        )
    if category is not None and category not in CATEGORIES:
        raise Unprocessable(f"Validation failed: category must be one of {', '.join(CATEGORIES)}")
    # As on Mastodon 4: rule ids make the report a violation, and a violation needs
    # rules; there are none to name yet.
    if rule_ids or category == "violation":
        raise Unprocessable("Validation failed: Rule ids does not reference valid rules")
    if len(status_ids) > MAX_STATUSES:
        raise Unprocessable(f"Validation failed: at most {MAX_STATUSES} status ids")
    visible = await get_many_visible(session, reporter_id, status_ids)
    if len(visible) != len(status_ids) or any(s.account_id != target.id for s in visible):
        raise Unprocessable("Validation failed: Status ids must be posts of the reported account")

    report = Report(
        id=new_id(),
        account_id=reporter_id,
        target_account_id=target.id,
        comment=comment,
        category=category or "other",
        forward=forward,
        created_at=utcnow(),
    )
    session.add(report)
    await session.flush()  # the report row before the rows that point at it
    session.add_all(ReportStatus(report_id=report.id, status_id=i) for i in status_ids)
    await commit(session)
    return render_report(report, status_ids, target, base_url=base_url)


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
        "rule_ids": None,
        "target_account": render_account(target, base_url=base_url),
    }


async def resolve_reports(
    *, session: AsyncSession, target_id: int, report_id: int | None, every_open: bool
) -> list[Report]:
    """Mark reports about ``target_id`` resolved in the caller's transaction (a moderator
    acted on the account, ``admin/service.py``): the report ``report_id`` (404 if there
    is none, 422 if it is about someone else) and, with ``every_open``, every report
    about the account still open. The reports resolved now."""
    chosen: Report | None = None
    if report_id is not None:
        chosen = await session.get(Report, report_id)
        if chosen is None:
            raise NotFound()
        if chosen.target_account_id != target_id:
            raise Unprocessable("Validation failed: the report is not about this account")
    query = select(Report).where(
        Report.target_account_id == target_id, Report.action_taken.is_(False)
    )
    reports = list((await session.scalars(query)).all()) if every_open else []
    if chosen is not None and not chosen.action_taken and chosen not in reports:
        reports.append(chosen)
    now = utcnow()
    for report in reports:
        report.action_taken, report.action_taken_at = True, now
    return reports
