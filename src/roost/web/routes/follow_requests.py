"""Follow requests: the people waiting for a locked account's answer, and the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.errors import NotFound
from roost.core.http import PageParams, json_response, page_params, params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.follows import requests
from roost.web.forms import NextForm
from roost.web.pages import WebRoute, redirect, render_page, safe_next, wants_json
from roost.web.visitor import CheckedMember, MemberDep

router = APIRouter(route_class=WebRoute)
LIST_SIZE = 40


@router.get("/follow_requests")
async def follow_requests_page(
    request: Request,
    member: MemberDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Response:
    found = await requests.list_follow_requests(
        session=session,
        runtime=runtime,
        viewer_id=member.account.id,
        page=PageParams(max_id=paging.max_id, limit=LIST_SIZE),
    )
    return await render_page(
        request,
        "follow_requests.html",
        session=session,
        title="Follow requests",
        people=found.items,
        older=found.next_max if len(found.items) == LIST_SIZE else None,
    )


@router.post("/follow_requests/{account_id}/{answer}")
async def answer_follow_request(
    request: Request,
    account_id: str,
    answer: str,
    member: CheckedMember,
    form: Annotated[NextForm, Depends(params(NextForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    verbs = {
        "authorize": requests.authorize_follow_request,
        "reject": requests.reject_follow_request,
    }
    verb = verbs.get(answer)
    if verb is None:
        raise NotFound()
    relationship = await verb(
        session=session, runtime=runtime, actor=member.account, requester_id=parse_id(account_id)
    )
    if not wants_json(request):
        return redirect(safe_next(form.next, "/follow_requests"))
    return json_response({"relationship": relationship, "answer": answer})
