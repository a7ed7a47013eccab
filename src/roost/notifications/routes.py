"""HTTP for /api/v1/notifications."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.core.http import (
    JSON,
    PageParams,
    json_response,
    page_params,
    params,
    parse_id,
)
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.notifications import service
from roost.notifications.render import render_notifications
from roost.notifications.schemas import Notification, NotificationFilter

router = APIRouter()

Reader = Annotated[Viewer, Depends(require("read:notifications"))]
Writer = Annotated[Viewer, Depends(require("write:notifications"))]


def _viewer_id(viewer: Viewer) -> int:
    assert viewer.account_id is not None  # require() makes sure a person is acting
    return viewer.account_id


@router.get("/api/v1/notifications", response_model=list[Notification])
async def list_notifications(
    request: Request,
    viewer: Reader,
    filters: Annotated[NotificationFilter, Depends(params(NotificationFilter))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    viewer_id = _viewer_id(viewer)
    page_read = await service.list_notifications(
        session=session,
        viewer_id=viewer_id,
        types=filters.types,
        exclude_types=filters.exclude_types,
        account_id=filters.account_id,
        max_id=page.max_id,
        since_id=page.since_id,
        min_id=page.min_id,
        limit=page.clamped_limit(),
    )
    items = await render_notifications(session, page_read.items, viewer_id, runtime=runtime)
    return page_read.with_items(items).response(request, base_url=runtime.settings.base_url)


@router.post("/api/v1/notifications/clear", response_model=dict[str, Any])
async def clear_notifications(viewer: Writer, session: WriteSession) -> JSON:
    await service.clear_notifications(session=session, viewer_id=_viewer_id(viewer))
    return json_response({})


@router.get("/api/v1/notifications/{notification_id}", response_model=Notification)
async def get_notification(
    viewer: Reader, notification_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    viewer_id = _viewer_id(viewer)
    notification = await service.get_notification(
        session=session, viewer_id=viewer_id, notification_id=parse_id(notification_id)
    )
    rendered = await render_notifications(session, [notification], viewer_id, runtime=runtime)
    return json_response(rendered[0])


@router.post("/api/v1/notifications/{notification_id}/dismiss", response_model=dict[str, Any])
async def dismiss_notification(viewer: Writer, notification_id: str, session: WriteSession) -> JSON:
    await service.dismiss_notification(
        session=session, viewer_id=_viewer_id(viewer), notification_id=parse_id(notification_id)
    )
    return json_response({})
