"""HTTP for /api/v1/statuses: post, read, edit, delete, thread, favourite, boost,
bookmark, pin, mute a conversation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.schemas import Account as AccountEntity
from roost.core.errors import NotFound
from roost.core.http import (
    JSON,
    PageParams,
    json_response,
    page_params,
    params,
    parse_id,
)
from roost.core.paging import Page
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, optional, require
from roost.scheduled.render import render_scheduled
from roost.scheduled.schemas import ScheduledStatus
from roost.scheduled.service import schedule_status
from roost.statuses import conversation_mutes, edits, interactions, pins, service
from roost.statuses.lookup import get_many_visible, get_visible
from roost.statuses.models import Status
from roost.statuses.render import render_history, render_statuses
from roost.statuses.schemas import (
    Context,
    DeleteStatusIn,
    EditStatusIn,
    PostStatusIn,
    ReblogIn,
    StatusIdsIn,
    StatusSource,
    TranslateIn,
    Translation,
)
from roost.statuses.schemas import Status as StatusEntity
from roost.statuses.schemas import StatusEdit as StatusEditEntity
from roost.statuses.threads import thread_context

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter()

Reader = Annotated[Viewer, Depends(optional("read:statuses"))]
Poster = Annotated[Viewer, Depends(require("write:statuses"))]
Favouriter = Annotated[Viewer, Depends(require("write:favourites"))]
AccountsReader = Annotated[Viewer, Depends(optional("read:accounts"))]
AppReader = Annotated[Viewer, Depends(require("read:statuses", user=False))]
Bookmarker = Annotated[Viewer, Depends(require("write:bookmarks"))]
Pinner = Annotated[Viewer, Depends(require("write:accounts"))]
Muter = Annotated[Viewer, Depends(require("write:mutes"))]


async def _one(
    session: AsyncSession, runtime: Runtime, status: Status, viewer: Viewer
) -> dict[str, Any]:
    """Render ``status`` as committed (with its counters), read in ``session``."""
    fresh = await session.get(Status, status.id)
    if fresh is None:  # deleted in the meantime
        raise NotFound()
    return (await render_statuses(session, [fresh], viewer.account_id, runtime=runtime))[0]


@router.post("/api/v1/statuses", response_model=StatusEntity | ScheduledStatus)
async def create_status(
    viewer: Poster,
    body: Annotated[PostStatusIn, Depends(params(PostStatusIn))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSON:
    reply_to = body.in_reply_to_id
    post: dict[str, Any] = {
        "session": session,
        "runtime": runtime,
        "author": viewer.person,
        "app_id": viewer.app_id,
        "text": body.status,
        "visibility": body.visibility,
        "spoiler_text": body.spoiler_text,
        "sensitive": body.sensitive,
        "language": body.language,
        "in_reply_to_id": parse_id(str(reply_to)) if reply_to is not None else None,
        "media_ids": body.media_ids,
        "poll": body.poll_in,
    }
    if body.scheduled_at is not None:  # a ScheduledStatus answers instead of a Status
        scheduled = await schedule_status(scheduled_at=body.scheduled_at, **post)
        shown = await render_scheduled(reader, [scheduled], storage=runtime.media)
        return json_response(shown[0])
    status = await service.post_status(idempotency_key=idempotency_key or None, **post)
    return json_response(await _one(reader, runtime, status, viewer))


@router.get("/api/v1/statuses", response_model=list[StatusEntity])
async def get_statuses(
    viewer: Reader,
    body: Annotated[StatusIdsIn, Depends(params(StatusIdsIn))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    statuses = await get_many_visible(session, viewer.account_id, body.ids[:40])
    return json_response(
        await render_statuses(session, statuses, viewer.account_id, runtime=runtime)
    )


@router.get("/api/v1/statuses/{status_id}", response_model=StatusEntity)
async def get_status(
    viewer: Reader, status_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    status = await get_visible(session, viewer.account_id, parse_id(status_id))
    return json_response(await _one(session, runtime, status, viewer))


@router.put("/api/v1/statuses/{status_id}", response_model=StatusEntity)
async def edit_status(
    viewer: Poster,
    status_id: str,
    body: Annotated[EditStatusIn, Depends(params(EditStatusIn))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await edits.edit_status(
        session=session,
        runtime=runtime,
        author=viewer.person,
        status_id=parse_id(status_id),
        text=body.status,
        spoiler_text=body.spoiler_text,
        sensitive=body.sensitive,
        language=body.language,
        media_ids=body.media_ids,
        media_changes=body.media_changes(),
        has_poll=body.has_poll,
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.get("/api/v1/statuses/{status_id}/history", response_model=list[StatusEditEntity])
async def status_history(
    viewer: Reader, status_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    versions = await edits.status_history(
        session=session, viewer_id=viewer.account_id, status_id=parse_id(status_id)
    )
    return json_response(await render_history(session, versions, runtime=runtime))


@router.get("/api/v1/statuses/{status_id}/source", response_model=StatusSource)
async def status_source(viewer: AppReader, status_id: str, session: ReadSession) -> JSON:
    status = await edits.status_source(
        session=session, viewer_id=viewer.account_id, status_id=parse_id(status_id)
    )
    return json_response(
        {"id": str(status.id), "text": status.text, "spoiler_text": status.spoiler_text}
    )


@router.post("/api/v1/statuses/{status_id}/translate", response_model=Translation)
async def translate(
    viewer: AppReader,
    status_id: str,
    body: Annotated[TranslateIn, Depends(params(TranslateIn))],
    session: ReadSession,
) -> JSON:
    """Roost has no translation backend: answered as Mastodon answers without one."""
    await edits.translate_status(
        session=session, viewer_id=viewer.account_id, status_id=parse_id(status_id)
    )


@router.delete("/api/v1/statuses/{status_id}", response_model=StatusEntity)
async def delete_status(
    viewer: Poster,
    status_id: str,
    body: Annotated[DeleteStatusIn, Depends(params(DeleteStatusIn))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    deleted = await service.delete_status(
        session=session,
        runtime=runtime,
        viewer=viewer.person,
        status_id=parse_id(status_id),
        delete_media=bool(body.delete_media),
    )
    return json_response(deleted)


@router.get("/api/v1/statuses/{status_id}/context", response_model=Context)
async def get_context(
    viewer: Reader, status_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    context = await thread_context(
        session=session, viewer_id=viewer.account_id, status_id=parse_id(status_id)
    )
    rendered = await render_statuses(
        session,
        [*context.ancestors, *context.descendants],
        viewer.account_id,
        runtime=runtime,
        context="thread",
    )
    # Split by id: a post deleted meanwhile or hidden by a filter is left out.
    above = {str(s.id) for s in context.ancestors}
    return json_response(
        {
            "ancestors": [s for s in rendered if s["id"] in above],
            "descendants": [s for s in rendered if s["id"] not in above],
        }
    )


@router.post("/api/v1/statuses/{status_id}/favourite", response_model=StatusEntity)
async def favourite(
    viewer: Favouriter,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await interactions.favourite(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/unfavourite", response_model=StatusEntity)
async def unfavourite(
    viewer: Favouriter,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await interactions.unfavourite(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/reblog", response_model=StatusEntity)
async def reblog(
    viewer: Poster,
    status_id: str,
    body: Annotated[ReblogIn, Depends(params(ReblogIn))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    boost = await interactions.reblog(
        session=session,
        runtime=runtime,
        viewer=viewer.person,
        app_id=viewer.app_id,
        status_id=parse_id(status_id),
        visibility=body.visibility,
    )
    return json_response(await _one(reader, runtime, boost, viewer))


@router.post("/api/v1/statuses/{status_id}/unreblog", response_model=StatusEntity)
async def unreblog(
    viewer: Poster,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await interactions.unreblog(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.get("/api/v1/statuses/{status_id}/favourited_by", response_model=list[AccountEntity])
async def favourited_by(
    request: Request,
    viewer: AccountsReader,
    status_id: str,
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await interactions.favourited_by(
        session=session,
        viewer_id=viewer.account_id,
        status_id=parse_id(status_id),
        max_id=page.max_id,
        since_id=page.since_id,
        min_id=page.min_id,
        limit=page.clamped_limit(),
    )
    return _accounts_page(request, runtime, found)


@router.get("/api/v1/statuses/{status_id}/reblogged_by", response_model=list[AccountEntity])
async def reblogged_by(
    request: Request,
    viewer: AccountsReader,
    status_id: str,
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await interactions.reblogged_by(
        session=session,
        viewer_id=viewer.account_id,
        status_id=parse_id(status_id),
        max_id=page.max_id,
        since_id=page.since_id,
        min_id=page.min_id,
        limit=page.clamped_limit(),
    )
    return _accounts_page(request, runtime, found)


def _accounts_page(request: Request, runtime: Runtime, page: Page[Account]) -> JSON:
    base_url = runtime.settings.base_url
    rendered = page.with_items([render_account(a, base_url=base_url) for a in page.items])
    return rendered.response(request, base_url=base_url)


@router.post("/api/v1/statuses/{status_id}/bookmark", response_model=StatusEntity)
async def bookmark(
    viewer: Bookmarker,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await interactions.bookmark(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/unbookmark", response_model=StatusEntity)
async def unbookmark(
    viewer: Bookmarker,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await interactions.unbookmark(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/pin", response_model=StatusEntity)
async def pin(
    viewer: Pinner,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await pins.pin(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/unpin", response_model=StatusEntity)
async def unpin(
    viewer: Pinner,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await pins.unpin(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/mute", response_model=StatusEntity)
async def mute_conversation(
    viewer: Muter,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await conversation_mutes.mute_conversation(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))


@router.post("/api/v1/statuses/{status_id}/unmute", response_model=StatusEntity)
async def unmute_conversation(
    viewer: Muter,
    status_id: str,
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    status = await conversation_mutes.unmute_conversation(
        session=session, runtime=runtime, viewer=viewer.person, status_id=parse_id(status_id)
    )
    return json_response(await _one(reader, runtime, status, viewer))
