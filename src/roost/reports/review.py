"""The moderators' side of reports: listing them, and the verbs that handle one (change
its category and rules, take it on, let it go, resolve it, reopen it).

Each verb is for staff whose role grants MANAGE_REPORTS (checked again here, whoever
the caller), records itself in the audit log in the same transaction (Mastodon's action
names: ``update``, ``assigned_to_self``, ``unassigned``, ``resolve``, ``reopen``), moves
``updated_at`` and commits. Each is idempotent in its effect, as Mastodon's are:
resolving a resolved report answers it resolved (by the latest moderator, at the latest
time), and is logged again, since someone did act.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.roles import Permission, role_of
from roost.admin.audit import Actor, log_action
from roost.core.db import commit, utcnow
from roost.core.errors import Forbidden, NotFound, Unprocessable
from roost.core.paging import Page, Window, paginate
from roost.reports.models import Report
from roost.reports.service import INVALID_RULES, check_category, check_rules

if TYPE_CHECKING:
    from roost.runtime import Runtime


def check_manages_reports(actor: Account) -> None:
    if not role_of(actor.role).allows(Permission.MANAGE_REPORTS):
        raise Forbidden("This action is not allowed")


async def list_reports(
    *,
    session: AsyncSession,
    resolved: bool = False,
    account_id: int | None = None,
    target_account_id: int | None = None,
    window: Window,
) -> Page[Report]:
    """Open reports (or resolved ones), newest first; by reporter and by target."""
    query = select(Report).where(Report.action_taken.is_(resolved))
    if account_id is not None:
        query = query.where(Report.account_id == account_id)
    if target_account_id is not None:
        query = query.where(Report.target_account_id == target_account_id)
    return await paginate(session, query, key=Report.id, page=window)


async def get_report(*, session: AsyncSession, report_id: int) -> Report:
    report = await session.get(Report, report_id)
    if report is None:
        raise NotFound()
    return report


async def _logged(
    session: AsyncSession, actor: Actor, report: Report, action: str, did: str
) -> None:
    """Move the report's ``updated_at`` and log what the actor ``did`` to it (a phrase
    in which ``{report}`` names the report)."""
    report.updated_at = utcnow()
    target = await session.get(Account, report.target_account_id)
    on = f" on @{target.username}" if target is not None else ""
    log_action(
        session=session,
        actor=actor,
        action=action,
        target_type="Report",
        target_id=report.id,
        did=did.format(report=f"report {report.id}{on}"),
    )


async def update_report(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Account,
    report_id: int,
    category: str | None,
    rule_ids: list[int] | None,
) -> Report:
    """Change the category and the rules named. A category other than ``violation``
    drops the rules; naming rules (without another category) makes a violation; a
    violation keeps naming at least one of the server's rules."""
    check_manages_reports(actor)
    check_category(category)
    report = await get_report(session=session, report_id=report_id)
    if category is not None and category != "violation":
        report.category, report.rule_ids = category, None
    elif rule_ids:
        report.category = "violation"
        report.rule_ids = check_rules(rule_ids, settings=runtime.settings)
    elif category == "violation" or (rule_ids is not None and report.category == "violation"):
        if rule_ids is not None or not report.rule_ids:
            raise Unprocessable(INVALID_RULES)
        report.category = "violation"
    await _logged(session, actor, report, "update", "classified {report} as " + report.category)
    await commit(session)
    return report


async def assign_report(*, session: AsyncSession, actor: Account, report_id: int) -> Report:
    check_manages_reports(actor)
    report = await get_report(session=session, report_id=report_id)
    report.assigned_account_id = actor.id
    await _logged(session, actor, report, "assigned_to_self", "took on {report}")
    await commit(session)
    return report


async def unassign_report(*, session: AsyncSession, actor: Account, report_id: int) -> Report:
    check_manages_reports(actor)
    report = await get_report(session=session, report_id=report_id)
    report.assigned_account_id = None
    await _logged(session, actor, report, "unassigned", "unassigned {report}")
    await commit(session)
    return report


async def mark_resolved(*, session: AsyncSession, actor: Actor, report: Report) -> None:
    """Resolve ``report`` by ``actor`` in the caller's transaction, and log it (resolved
    from the command line, it names no account as the one who took action)."""
    report.action_taken = True
    report.action_taken_at = utcnow()
    report.action_taken_by_account_id = actor.id
    await _logged(session, actor, report, "resolve", "resolved {report}")


async def resolve_answered(
    *,
    session: AsyncSession,
    actor: Actor,
    target_id: int,
    report_id: int | None,
    every_open: bool,
) -> list[Report]:
    """Resolve, in the caller's transaction, the reports an action on the account
    ``target_id`` answers (``admin/service.act_on_account``): the report ``report_id``
    (404 if there is none, 422 if it is about someone else) and, with ``every_open``,
    every report about the account still open, oldest first. The reports resolved now."""
    chosen: Report | None = None
    if report_id is not None:
        chosen = await session.get(Report, report_id)
        if chosen is None:
            raise NotFound()
        if chosen.target_account_id != target_id:
            raise Unprocessable("Validation failed: the report is not about this account")
    reports = await open_reports_on(session=session, target_id=target_id) if every_open else []
    if chosen is not None and not chosen.action_taken and chosen not in reports:
        reports.append(chosen)
    for report in reports:
        await mark_resolved(session=session, actor=actor, report=report)
    return reports


async def resolve_report(*, session: AsyncSession, actor: Account, report_id: int) -> Report:
    check_manages_reports(actor)
    report = await get_report(session=session, report_id=report_id)
    await mark_resolved(session=session, actor=actor, report=report)
    await commit(session)
    return report


async def reopen_report(*, session: AsyncSession, actor: Account, report_id: int) -> Report:
    check_manages_reports(actor)
    report = await get_report(session=session, report_id=report_id)
    report.action_taken = False
    report.action_taken_at = None
    report.action_taken_by_account_id = None
    await _logged(session, actor, report, "reopen", "reopened {report}")
    await commit(session)
    return report


async def open_reports_on(*, session: AsyncSession, target_id: int) -> list[Report]:
    """The reports on an account still waiting for a moderator."""
    rows = await session.scalars(
        select(Report)
        .where(Report.target_account_id == target_id, Report.action_taken.is_(False))
        .order_by(Report.id)
    )
    return list(rows.all())


async def count_open_reports(*, session: AsyncSession) -> int:
    found = await session.scalar(
        select(func.count()).select_from(Report).where(Report.action_taken.is_(False))
    )
    return found or 0
