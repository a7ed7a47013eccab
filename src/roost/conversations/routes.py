"""HTTP for /api/v1/conversations (direct messages, one entry per thread and people)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.conversations import service
from roost.conversations.render import render_conversations
from roost.conversations.schemas import Conversation
from roost.core.http import JSON, PageParams, json_response, page_params, parse_id
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require

router = APIRouter(tags=["conversations"])

Reader = Annotated[Viewer, Depends(require("read:statuses"))]
Writer = Annotated[Viewer, Depends(require("write:conversations"))]


@router.get("/api/v1/conversations", response_model=list[Conversation])
async def list_conversations(
    request: Request,
    viewer: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    viewer_id = viewer.person_id
    page_read = await service.list_conversations(
        session=session, viewer_id=viewer_id, window=Window.of(page)
    )
    items = await render_conversations(session, page_read.items, viewer_id, runtime=runtime)
    return page_read.with_items(items).response(request, base_url=runtime.settings.base_url)


@router.post("/api/v1/conversations/{conversation_id}/read", response_model=Conversation)
async def read_conversation(
    viewer: Writer, conversation_id: str, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    viewer_id = viewer.person_id
    conversation = await service.mark_conversation_read(
        session=session, viewer_id=viewer_id, conversation_id=parse_id(conversation_id)
    )
    rendered = await render_conversations(session, [conversation], viewer_id, runtime=runtime)
    return json_response(rendered[0])


@router.delete("/api/v1/conversations/{conversation_id}", response_model=dict[str, Any])
async def remove_conversation(viewer: Writer, conversation_id: str, session: WriteSession) -> JSON:
    await service.remove_conversation(
        session=session, viewer_id=viewer.person_id, conversation_id=parse_id(conversation_id)
    )
    return json_response({})
