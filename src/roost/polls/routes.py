"""HTTP for /api/v1/polls: read a poll, vote in it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from roost.core.errors import NotFound
from roost.core.http import JSON, json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, optional, require
from roost.polls import service
from roost.polls.render import render_one
from roost.polls.schemas import Poll, VoteIn

router = APIRouter()

Reader = Annotated[Viewer, Depends(optional("read:statuses"))]
Voter = Annotated[Viewer, Depends(require("write:statuses"))]


@router.get("/api/v1/polls/{poll_id}", response_model=Poll)
async def get_poll(viewer: Reader, poll_id: str, session: ReadSession) -> JSON:
    poll = await service.get_visible_poll(session, viewer.account_id, parse_id(poll_id))
    return _rendered(await render_one(session, poll, viewer.account_id))


@router.post("/api/v1/polls/{poll_id}/votes", response_model=Poll)
async def vote(
    viewer: Voter,
    poll_id: str,
    body: Annotated[VoteIn, Depends(params(VoteIn))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account is not None  # require() makes sure a person is acting
    poll = await service.vote(
        session=session,
        runtime=runtime,
        voter=viewer.account,
        poll_id=parse_id(poll_id),
        choices=body.choices,
    )
    return _rendered(await render_one(reader, poll, viewer.account_id))


def _rendered(poll: dict[str, Any] | None) -> JSON:
    if poll is None:  # deleted in the meantime
        raise NotFound()
    return json_response(poll)
