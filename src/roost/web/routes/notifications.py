"""Notifications: mentions, follows and follow requests (answered here), favourites,
boosts, posts of people whose bell is on; reading them clears the badge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.http import JSON, PageParams, json_response, page_params
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.follows.relations import follow_requests_count
from roost.markers import service as markers
from roost.notifications import service as notifications
from roost.notifications.render import render_notifications
from roost.web.pages import WebRoute, render_page
from roost.web.visitor import MemberDep

router = APIRouter(route_class=WebRoute)
PAGE_SIZE = 30


@router.get("/notifications")
async def notifications_page(
    request: Request,
    member: MemberDep,
    session: ReadSession,
    writer: WriteSession,
    runtime: RuntimeDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Response:
    me = member.account.id
    read_up_to = await markers.last_read(session=session, account_id=me, timeline="notifications")
    rows = (
        await notifications.list_notifications(
            session=session, viewer_id=me, max_id=paging.max_id, limit=PAGE_SIZE
        )
    ).items
    items = await render_notifications(session, rows, me, runtime=runtime)
    first_page = paging.max_id is None
    if first_page and rows and rows[0].id > read_up_to:
        # Seen now: the badge (and other clients' markers) move up to the newest.
        await markers.save_markers(
            session=writer,
            account_id=me,
            positions={"notifications": rows[0].id},
            forward_only=True,
        )
    return await render_page(
        request,
        "notifications.html",
        # On the first page everything shown is read, so the badge is gone.
        session=None if first_page else session,
        title="Notifications",
        notifications=items,
        read_up_to=read_up_to,
        follow_requests_count=await follow_requests_count(session, me),
        older=str(rows[-1].id) if len(rows) == PAGE_SIZE else None,
    )


@router.get("/notifications/unread")
async def unread(member: MemberDep, session: ReadSession) -> JSON:
    count = await markers.unread_notifications(session=session, account_id=member.account.id)
    return json_response({"count": count, "capped": count >= markers.UNREAD_CAP})
