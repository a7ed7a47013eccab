"""Scheduled posts: the list of one's posts waiting for their time, and cancelling one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.http import json_response, params, parse_id
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.scheduled import service as scheduled
from roost.scheduled.render import render_scheduled
from roost.web.forms import NextForm
from roost.web.pages import WebRoute, redirect, render_page, wants_json
from roost.web.visitor import CheckedMember, MemberDep

router = APIRouter(route_class=WebRoute)
LIST_SIZE = 40


@router.get("/scheduled")
async def scheduled_page(
    request: Request, member: MemberDep, session: ReadSession, runtime: RuntimeDep
) -> Response:
    page = await scheduled.list_scheduled(
        session=session, owner_id=member.account.id, window=Window(limit=LIST_SIZE)
    )
    rendered = await render_scheduled(session, page.items, storage=runtime.media)
    waiting = sorted(rendered, key=lambda s: s["scheduled_at"])
    return await render_page(
        request, "scheduled.html", session=session, title="Scheduled posts", scheduled=waiting
    )


@router.post("/scheduled/{scheduled_status_id}/cancel")
async def cancel(
    request: Request,
    scheduled_status_id: str,
    member: CheckedMember,
    form: Annotated[NextForm, Depends(params(NextForm))],
    session: WriteSession,
) -> Response:
    sid = parse_id(scheduled_status_id)
    await scheduled.cancel_scheduled(
        session=session, owner_id=member.account.id, scheduled_status_id=sid
    )
    if wants_json(request):
        return json_response({"cancelled": str(sid)})
    return redirect("/scheduled")
