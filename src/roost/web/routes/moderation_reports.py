"""The reports screens for staff whose role grants MANAGE_REPORTS: open and resolved
reports, one report with the posts it names, and its handling (assign to me, unassign,
resolve, reopen) through the same verbs as the admin reports API (``reports/review.py``,
each kept in the audit log)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, field_validator
from starlette.responses import Response

from roost.accounts.roles import Permission
from roost.core.errors import NotFound
from roost.core.http import PageParams, page_params, params, parse_id
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.reports import review
from roost.reports.admin_render import render_admin_reports
from roost.web.pages import WebRoute, redirect, render_page
from roost.web.routes.moderation import permissions
from roost.web.visitor import Member, checked_staff_member, staff_member

router = APIRouter(route_class=WebRoute)
LIST_SIZE = 20

ReportManager = Annotated[Member, Depends(staff_member(Permission.MANAGE_REPORTS))]
CheckedReportManager = Annotated[Member, Depends(checked_staff_member(Permission.MANAGE_REPORTS))]
VERBS = {
    "assign_to_self": review.assign_report,
    "unassign": review.unassign_report,
    "resolve": review.resolve_report,
    "reopen": review.reopen_report,
}


class ReportsQuery(BaseModel):
    resolved: bool = False

    @field_validator("resolved", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}


@router.get("/moderation/reports")
async def reports_page(
    request: Request,
    member: ReportManager,
    query: Annotated[ReportsQuery, Depends(params(ReportsQuery))],
    paging: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    page = await review.list_reports(
        session=session,
        resolved=query.resolved,
        window=Window(max_id=paging.max_id, limit=LIST_SIZE),
    )
    reports = await render_admin_reports(
        session, page.items, viewer_id=member.account.id, runtime=runtime
    )
    return await render_page(
        request,
        "moderation_reports.html",
        session=session,
        title="Resolved reports" if query.resolved else "Open reports",
        can=permissions(member),
        resolved=query.resolved,
        reports=reports,
        older=page.next_max if len(page.items) == LIST_SIZE else None,
    )


@router.get("/moderation/reports/{report_id}")
async def report_page(
    request: Request,
    report_id: str,
    member: ReportManager,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    report = await review.get_report(session=session, report_id=parse_id(report_id))
    [rendered] = await render_admin_reports(
        session, [report], viewer_id=member.account.id, runtime=runtime
    )
    done = request.query_params.get("done", "")
    return await render_page(
        request,
        "moderation_report.html",
        session=session,
        title=f"Report on @{rendered['target_account']['username']}",
        can=permissions(member),
        report=rendered,
        done=done if done in VERBS else "",  # what the page says was just done
    )


@router.post("/moderation/reports/{report_id}/{verb}")
async def handle_report(
    report_id: str,
    verb: str,
    member: CheckedReportManager,
    session: WriteSession,
) -> Response:
    handle = VERBS.get(verb)
    if handle is None:
        raise NotFound()
    report = await handle(session=session, actor=member.account, report_id=parse_id(report_id))
    return redirect(f"/moderation/reports/{report.id}?done={verb}")
