"""Filing a report: someone tells the moderators about an account and some of its posts.

The rules: the target must exist and be approved (else 404, as for any account), nobody
reports themselves, and every attached post must be the target's and one the reporter
may read (``statuses/lookup.py``, on the one policy of ``statuses/visibility.py``), so a
report cannot be used to learn that a hidden post exists. A report may name the server's
rules it says were broken (``instance/rules.py``); naming rules makes it a ``violation``,
and a violation must name at least one (``classify``, Mastodon's rule).

Filing tells the staff who manage reports (an ``admin.report`` notification each, made
in the report's transaction, streamed after commit), unless another report on the same
account is still open: they already have that account to look at (Mastodon's
``unresolved_siblings?``). How moderators handle reports is ``review.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.roles import Permission, roles_allowing
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import new_id
from roost.core.settings import Settings
from roost.instance.rules import rules_named
from roost.notifications.service import notify
from roost.reports.models import Report, ReportStatus
from roost.reports.render import render_report
from roost.statuses.lookup import get_many_visible

if TYPE_CHECKING:
    from roost.runtime import Runtime

CATEGORIES = ("spam", "legal", "violation", "other")
MAX_COMMENT = 1000  # Mastodon's default
# Mastodon sets no limit; one keeps a huge list from one query (and the databases' bound
# parameter limits), far above what a client's report screen lets anyone pick.
MAX_STATUSES = 100
INVALID_RULES = "Validation failed: Rule ids does not reference valid rules"


def check_category(category: str | None) -> None:
    if category is not None and category not in CATEGORIES:
        raise Unprocessable(f"Validation failed: category must be one of {', '.join(CATEGORIES)}")


def check_rules(rule_ids: list[int], *, settings: Settings) -> list[int]:
    """The rule ids (each once, in order) if they name at least one rule and only the
    server's rules; else 422."""
    wanted = list(dict.fromkeys(rule_ids))
    if not wanted or len(rules_named(settings, wanted)) != len(wanted):
        raise Unprocessable(INVALID_RULES)
    return wanted


def classify(
    category: str | None, rule_ids: list[int], *, settings: Settings
) -> tuple[str, list[int] | None]:
    """A new report's category and the rules it names, as Mastodon 4 files it: naming
    rules makes it a ``violation`` whatever the category sent; a violation must name
    valid rules; no category is ``other``."""
    check_category(category)
    if rule_ids or category == "violation":
        return "violation", check_rules(rule_ids, settings=settings)
    return category or "other", None


async def file_report(
    *,
    session: AsyncSession,
    runtime: Runtime,
    reporter_id: int,
    target_id: int,
    status_ids: list[int],
    comment: str,
    category: str | None,
    rule_ids: list[int],
    forward: bool,
) -> dict[str, Any]:
    """Store the report, tell the staff, and answer the Report entity."""
    target = await session.get(Account, target_id)
    if target is None or not target.approved:
        raise NotFound()
    if target.id == reporter_id:
        raise Unprocessable("Validation failed: Target account can't be yourself")
    if len(comment) > MAX_COMMENT:
        raise Unprocessable(
            f"Validation failed: Comment is too long (maximum is {MAX_COMMENT} characters)"
        )
    category, rules = classify(category, rule_ids, settings=runtime.settings)
    if len(status_ids) > MAX_STATUSES:
        raise Unprocessable(f"Validation failed: at most {MAX_STATUSES} status ids")
    visible = await get_many_visible(session, reporter_id, status_ids)
    if len(visible) != len(status_ids) or any(s.account_id != target.id for s in visible):
        raise Unprocessable("Validation failed: Status ids must be posts of the reported account")

    now = utcnow()
    report = Report(
        id=new_id(),
        account_id=reporter_id,
        target_account_id=target.id,
        comment=comment,
        category=category,
        rule_ids=rules,
        forward=forward,
        created_at=now,
        updated_at=now,
    )
    session.add(report)
    await session.flush()  # the report row before the rows that point at it
    session.add_all(ReportStatus(report_id=report.id, status_id=i) for i in status_ids)
    await notify_staff(session=session, runtime=runtime, report=report)
    await commit(session)
    return render_report(report, status_ids, target, base_url=runtime.settings.base_url)


def staff_who_manage_reports() -> Select[int]:
    """Accounts that may act on reports and can be told: approved, neither suspended
    nor disabled."""
    return select(Account.id).where(
        Account.role.in_(roles_allowing(Permission.MANAGE_REPORTS)),
        Account.approved.is_(True),
        Account.suspended_at.is_(None),
        Account.disabled_at.is_(None),
    )


async def notify_staff(*, session: AsyncSession, runtime: Runtime, report: Report) -> None:
    """An ``admin.report`` notification to each staff member who manages reports, from
    the reporter, unless another report on the target is still open. ``notify`` leaves
    out the reporter (a moderator filing one) and anyone blocking or blocked by them."""
    open_sibling = exists().where(
        Report.target_account_id == report.target_account_id,
        Report.id != report.id,
        Report.action_taken.is_(False),
    )
    if await session.scalar(select(open_sibling)):
        return
    for staff_id in (await session.scalars(staff_who_manage_reports())).all():
        await notify(
            session=session,
            runtime=runtime,
            recipient_id=staff_id,
            actor_id=report.account_id,
            type="admin.report",
            report_id=report.id,
        )
