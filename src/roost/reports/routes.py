"""HTTP for reports: file one (``POST /api/v1/reports``), and the admin reports API that
moderation apps use (``/api/v1/admin/reports``: list, read, update, assign to self,
unassign, resolve, reopen), for tokens with an ``admin:*:reports`` scope whose role
grants MANAGE_REPORTS."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.roles import Permission
from roost.core.http import JSON, json_response, paging, params, parse_id
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require, require_staff
from roost.reports import review, service
from roost.reports.admin_render import render_admin_reports
from roost.reports.schemas import (
    AdminReport,
    AdminReportFilter,
    AdminReportPage,
    AdminReportUpdate,
    Report,
    ReportParams,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter()

Reader = Annotated[Viewer, Depends(require_staff("admin:read:reports", Permission.MANAGE_REPORTS))]
Writer = Annotated[Viewer, Depends(require_staff("admin:write:reports", Permission.MANAGE_REPORTS))]
report_page = paging(AdminReportPage)


@router.post("/api/v1/reports", response_model=Report)
async def file_report(
    viewer: Annotated[Viewer, Depends(require("write:reports"))],
    body: Annotated[ReportParams, Depends(params(ReportParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.file_report(
            session=session,
            runtime=runtime,
            reporter_id=viewer.person_id,
            target_id=body.account_id,
            status_ids=body.status_ids,
            comment=body.comment,
            category=body.category,
            rule_ids=body.rule_ids,
            forward=body.forward,
        )
    )


@router.get("/api/v1/admin/reports", response_model=list[AdminReport])
async def list_reports(
    request: Request,
    viewer: Reader,
    filters: Annotated[AdminReportFilter, Depends(params(AdminReportFilter))],
    page: Annotated[AdminReportPage, Depends(report_page)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await review.list_reports(
        session=session,
        resolved=filters.resolved,
        account_id=filters.account_id,
        target_account_id=filters.target_account_id,
        window=Window.of(page),
    )
    items = await render_admin_reports(
        session, found.items, viewer_id=viewer.person_id, runtime=runtime
    )
    return found.with_items(items).response(request, base_url=runtime.settings.base_url)


async def _answer(session: AsyncSession, report_id: int, viewer: Viewer, runtime: Runtime) -> JSON:
    """The report as committed, read in ``session``."""
    report = await review.get_report(session=session, report_id=report_id)
    [rendered] = await render_admin_reports(
        session, [report], viewer_id=viewer.person_id, runtime=runtime
    )
    return json_response(rendered)


@router.get("/api/v1/admin/reports/{report_id}", response_model=AdminReport)
async def get_report(
    report_id: str, viewer: Reader, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    return await _answer(session, parse_id(report_id), viewer, runtime)


@router.put("/api/v1/admin/reports/{report_id}", response_model=AdminReport)
async def update_report(
    report_id: str,
    viewer: Writer,
    body: Annotated[AdminReportUpdate, Depends(params(AdminReportUpdate))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    report = await review.update_report(
        session=session,
        runtime=runtime,
        actor=viewer.person,
        report_id=parse_id(report_id),
        category=body.category,
        rule_ids=body.rule_ids,
    )
    return await _answer(reader, report.id, viewer, runtime)


@router.post("/api/v1/admin/reports/{report_id}/assign_to_self", response_model=AdminReport)
async def assign_to_self(
    report_id: str, viewer: Writer, session: WriteSession, reader: ReadSession, runtime: RuntimeDep
) -> JSON:
    report = await review.assign_report(
        session=session, actor=viewer.person, report_id=parse_id(report_id)
    )
    return await _answer(reader, report.id, viewer, runtime)


@router.post("/api/v1/admin/reports/{report_id}/unassign", response_model=AdminReport)
async def unassign(
    report_id: str, viewer: Writer, session: WriteSession, reader: ReadSession, runtime: RuntimeDep
) -> JSON:
    report = await review.unassign_report(
        session=session, actor=viewer.person, report_id=parse_id(report_id)
    )
    return await _answer(reader, report.id, viewer, runtime)


@router.post("/api/v1/admin/reports/{report_id}/resolve", response_model=AdminReport)
async def resolve(
    report_id: str, viewer: Writer, session: WriteSession, reader: ReadSession, runtime: RuntimeDep
) -> JSON:
    report = await review.resolve_report(
        session=session, actor=viewer.person, report_id=parse_id(report_id)
    )
    return await _answer(reader, report.id, viewer, runtime)


@router.post("/api/v1/admin/reports/{report_id}/reopen", response_model=AdminReport)
async def reopen(
    report_id: str, viewer: Writer, session: WriteSession, reader: ReadSession, runtime: RuntimeDep
) -> JSON:
    report = await review.reopen_report(
        session=session, actor=viewer.person, report_id=parse_id(report_id)
    )
    return await _answer(reader, report.id, viewer, runtime)
