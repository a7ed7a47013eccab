"""HTTP for /api/v1/scheduled_statuses: list, read, move and cancel scheduled posts.
They are made by POST /api/v1/statuses with ``scheduled_at`` (statuses/routes.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from roost.core.errors import Unprocessable
from roost.core.http import JSON, PageParams, json_response, page_params, params, parse_id
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.scheduled import service
from roost.scheduled.render import render_scheduled
from roost.scheduled.schemas import RescheduleIn, ScheduledStatus

router = APIRouter()

Reader = Annotated[Viewer, Depends(require("read:statuses"))]
Writer = Annotated[Viewer, Depends(require("write:statuses"))]


def _owner(viewer: Viewer) -> int:
    assert viewer.account_id is not None  # require() makes sure a person is acting
    return viewer.account_id


@router.get("/api/v1/scheduled_statuses", response_model=list[ScheduledStatus])
async def list_scheduled(
    request: Request,
    viewer: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await service.list_scheduled(
        session=session, owner_id=_owner(viewer), window=Window.of(page)
    )
    rendered = found.with_items(await render_scheduled(session, found.items, storage=runtime.media))
    return rendered.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/scheduled_statuses/{scheduled_status_id}", response_model=ScheduledStatus)
async def get_scheduled(
    viewer: Reader, scheduled_status_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    row = await service.get_scheduled(
        session=session, owner_id=_owner(viewer), scheduled_status_id=parse_id(scheduled_status_id)
    )
    return json_response((await render_scheduled(session, [row], storage=runtime.media))[0])


@router.put("/api/v1/scheduled_statuses/{scheduled_status_id}", response_model=ScheduledStatus)
async def reschedule(
    viewer: Writer,
    scheduled_status_id: str,
    body: Annotated[RescheduleIn, Depends(params(RescheduleIn))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    if not body.scheduled_at:
        raise Unprocessable("Validation failed: Scheduled at can't be blank")
    row = await service.reschedule(
        session=session,
        runtime=runtime,
        owner_id=_owner(viewer),
        scheduled_status_id=parse_id(scheduled_status_id),
        scheduled_at=body.scheduled_at,
    )
    return json_response((await render_scheduled(session, [row], storage=runtime.media))[0])


@router.delete("/api/v1/scheduled_statuses/{scheduled_status_id}")
async def cancel_scheduled(viewer: Writer, scheduled_status_id: str, session: WriteSession) -> JSON:
    await service.cancel_scheduled(
        session=session, owner_id=_owner(viewer), scheduled_status_id=parse_id(scheduled_status_id)
    )
    return json_response({})
