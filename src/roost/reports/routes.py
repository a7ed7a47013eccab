"""HTTP for reports: file one (``POST /api/v1/reports``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roost.core.http import JSON, json_response, params
from roost.deps import RuntimeDep, Viewer, WriteSession, require
from roost.reports import service
from roost.reports.schemas import Report, ReportParams

router = APIRouter()


@router.post("/api/v1/reports", response_model=Report)
async def file_report(
    viewer: Annotated[Viewer, Depends(require("write:reports"))],
    body: Annotated[ReportParams, Depends(params(ReportParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account_id is not None  # require() checked that a person is acting
    return json_response(
        await service.file_report(
            session=session,
            runtime=runtime,
            reporter_id=viewer.account_id,
            target_id=body.account_id,
            status_ids=body.status_ids,
            comment=body.comment,
            category=body.category,
            rule_ids=body.rule_ids,
            forward=body.forward,
        )
    )
