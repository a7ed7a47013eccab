"""Direct messages: one's conversations, newest first; opening one marks it read and
shows its thread, where the reply stays between the same people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.conversations import service as conversations
from roost.conversations.render import render_conversations
from roost.core.errors import NotFound
from roost.core.http import PageParams, page_params, parse_id
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.web.pages import WebRoute, redirect, render_page
from roost.web.visitor import CheckedMember, MemberDep

router = APIRouter(route_class=WebRoute)
PAGE_SIZE = 20


@router.get("/conversations")
async def conversations_page(
    request: Request,
    member: MemberDep,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Response:
    me = member.account.id
    page = await conversations.list_conversations(
        session=session, viewer_id=me, window=Window(max_id=paging.max_id, limit=PAGE_SIZE)
    )
    items = await render_conversations(session, page.items, me, runtime=runtime)
    return await render_page(
        request,
        "conversations.html",
        session=session,
        title="Messages",
        conversations=items,
        older=str(page.next_max) if len(page.items) == PAGE_SIZE else None,
    )


@router.get("/conversations/{conversation_id}")
async def open_conversation(
    conversation_id: str, member: MemberDep, session: WriteSession
) -> Response:
    """Mark it read and go to its thread, at its newest post."""
    conversation = await conversations.mark_conversation_read(
        session=session, viewer_id=member.account.id, conversation_id=parse_id(conversation_id)
    )
    author = await conversations.last_post_author(session=session, conversation=conversation)
    if author is None:  # its last post was just deleted; the list shows it repaired soon
        raise NotFound()
    return redirect(f"/@{author}/{conversation.last_status_id}")


@router.post("/conversations/{conversation_id}/remove")
async def remove_conversation(
    conversation_id: str, member: CheckedMember, session: WriteSession
) -> Response:
    await conversations.remove_conversation(
        session=session, viewer_id=member.account.id, conversation_id=parse_id(conversation_id)
    )
    return redirect("/conversations")
