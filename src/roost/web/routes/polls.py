"""Voting in a poll from a post (a plain form: the page comes back with the results)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.errors import Unprocessable
from roost.core.http import json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.polls import service as polls
from roost.polls.render import render_one
from roost.web.forms import VoteForm
from roost.web.pages import WebRoute, redirect, safe_next, wants_json
from roost.web.visitor import CheckedMember

router = APIRouter(route_class=WebRoute)


@router.post("/polls/{poll_id}/votes")
async def vote(
    request: Request,
    poll_id: str,
    member: CheckedMember,
    form: Annotated[VoteForm, Depends(params(VoteForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    if not form.choices or not all(choice.isdigit() for choice in form.choices):
        raise Unprocessable("Choose an option to vote for")
    poll = await polls.vote(
        session=session,
        runtime=runtime,
        voter=member.account,
        poll_id=parse_id(poll_id),
        choices=[int(choice) for choice in form.choices],
    )
    if wants_json(request):
        return json_response(await render_one(reader, poll, member.account.id))
    return redirect(safe_next(form.next, "/home"))
