"""Posting, editing, the thread page and a post's history, and favourite / boost /
bookmark / pin / delete in place."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from roost.accounts.models import Account
from roost.core.errors import NotFound, RoostError, Unprocessable
from roost.core.http import json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.polls.schemas import PollIn, poll_in
from roost.scheduled.render import render_scheduled
from roost.scheduled.service import parse_time, schedule_status
from roost.statuses import interactions, pins
from roost.statuses import service as statuses
from roost.statuses.lookup import get_visible
from roost.statuses.models import VISIBILITIES, Status
from roost.statuses.render import render_statuses
from roost.statuses.threads import thread_context
from roost.web.feeds import posts_html
from roost.web.forms import ComposeForm, NextForm
from roost.web.media import chosen_images, upload_images
from roost.web.pages import WebRoute, redirect, render_page, safe_next, wants_json
from roost.web.visitor import CheckedMember, VisitorDep

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter(route_class=WebRoute)
DEFAULT_POLL_SECONDS = 86400  # a day, the compose box's first choice
MAX_OFFSET_MINUTES = 18 * 60  # the widest time zone offsets


async def _rendered(
    session: AsyncSession, runtime: Runtime, status_id: int, viewer_id: int | None
) -> dict[str, Any]:
    fresh = await session.get(Status, status_id)
    if fresh is None:
        raise NotFound()
    return (await render_statuses(session, [fresh], viewer_id, runtime=runtime))[0]


@router.post("/statuses")
async def compose(
    request: Request,
    member: CheckedMember,
    form: Annotated[ComposeForm, Depends(params(ComposeForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        if form.visibility not in VISIBILITIES:
            raise Unprocessable(
                "Choose who can see the post: public, unlisted, followers or mentioned"
            )
        reply_to = parse_id(form.in_reply_to_id) if form.in_reply_to_id else None
        images = await chosen_images(request)
        if images:  # a post that cannot go out is refused before its pictures upload
            statuses.check_post(form.status.strip(), form.spoiler_text.strip(), None, True)
        post: dict[str, Any] = {
            "session": session,
            "runtime": runtime,
            "author": member.account,
            "app_id": None,
            "text": form.status,
            "visibility": form.visibility,
            "spoiler_text": form.spoiler_text,
            "sensitive": form.sensitive or None,
            "in_reply_to_id": reply_to,
            "poll": _poll_of(form),
            "media_ids": await upload_images(
                session=session, runtime=runtime, author=member.account, images=images
            ),
        }
        later = _scheduled_at(form)
        if later is not None:
            scheduled = await schedule_status(scheduled_at=later, **post)
            if wants_json(request):
                shown = await render_scheduled(reader, [scheduled], storage=runtime.media)
                return json_response(shown[0])
            return redirect("/scheduled")
        status = await statuses.post_status(idempotency_key=form.idempotency_key or None, **post)
    except RoostError as exc:
        if wants_json(request):
            raise
        page = await render_page(
            request,
            "compose.html",
            session=reader,
            status_code=exc.status_code,
            title="New post",
            form=form,
            errors=[exc.message],
        )
        page.headers.update(exc.headers)  # a 429's Retry-After
        return page
    if wants_json(request):
        rendered = await _rendered(reader, runtime, status.id, member.account.id)
        html = posts_html([rendered], me=member.account, csrf_token=member.csrf_token, here="/home")
        return json_response({"id": str(status.id), "html": html})
    return redirect(safe_next(form.next, "/home"))


def _poll_of(form: ComposeForm) -> PollIn | None:
    """The compose box's poll: the options filled in (blank boxes are left out)."""
    options = [option for option in form.poll_options if option.strip()]
    if not options:
        return None
    expires_in = form.poll_expires_in or str(DEFAULT_POLL_SECONDS)
    raw = {"options": options, "expires_in": expires_in, "multiple": form.poll_multiple}
    return poll_in(raw, {})


def _scheduled_at(form: ComposeForm) -> str | None:
    """The compose box's publication time, in UTC: the browser's local time moved by
    its time zone's offset (without JavaScript there is none, and the time is UTC)."""
    if not form.scheduled_at.strip():
        return None
    local = parse_time(form.scheduled_at).replace(tzinfo=None)
    offset = form.timezone_offset.strip()
    minutes = int(offset) if re.fullmatch(r"-?\d{1,4}", offset) else 0
    if abs(minutes) > MAX_OFFSET_MINUTES:
        minutes = 0
    return (local + timedelta(minutes=minutes)).replace(tzinfo=UTC).isoformat()


Action = Callable[[AsyncSession, "Runtime", Account, int], Awaitable[Status]]


async def _favourite(
    session: AsyncSession, runtime: Runtime, me: Account, status_id: int
) -> Status:
    return await interactions.favourite(
        session=session, runtime=runtime, viewer=me, status_id=status_id
    )


async def _unfavourite(
    session: AsyncSession, runtime: Runtime, me: Account, status_id: int
) -> Status:
    return await interactions.unfavourite(
        session=session, runtime=runtime, viewer=me, status_id=status_id
    )


async def _reblog(session: AsyncSession, runtime: Runtime, me: Account, status_id: int) -> Status:
    return await interactions.reblog(
        session=session, runtime=runtime, viewer=me, app_id=None, status_id=status_id
    )


async def _unreblog(session: AsyncSession, runtime: Runtime, me: Account, status_id: int) -> Status:
    return await interactions.unreblog(
        session=session, runtime=runtime, viewer=me, status_id=status_id
    )


async def _bookmark(session: AsyncSession, runtime: Runtime, me: Account, status_id: int) -> Status:
    return await interactions.bookmark(
        session=session, runtime=runtime, viewer=me, status_id=status_id
    )


async def _unbookmark(
    session: AsyncSession, runtime: Runtime, me: Account, status_id: int
) -> Status:
    return await interactions.unbookmark(
        session=session, runtime=runtime, viewer=me, status_id=status_id
    )


async def _pin(session: AsyncSession, runtime: Runtime, me: Account, status_id: int) -> Status:
    return await pins.pin(session=session, runtime=runtime, viewer=me, status_id=status_id)


async def _unpin(session: AsyncSession, runtime: Runtime, me: Account, status_id: int) -> Status:
    return await pins.unpin(session=session, runtime=runtime, viewer=me, status_id=status_id)


ACTIONS: dict[str, Action] = {
    "favourite": _favourite,
    "unfavourite": _unfavourite,
    "reblog": _reblog,
    "unreblog": _unreblog,
    "bookmark": _bookmark,
    "unbookmark": _unbookmark,
    "pin": _pin,
    "unpin": _unpin,
}


@router.post("/statuses/{status_id}/delete")
async def delete(
    request: Request,
    status_id: str,
    member: CheckedMember,
    form: Annotated[NextForm, Depends(params(NextForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    sid = parse_id(status_id)
    # The web page has no delete-and-redraft: the pictures go with the post.
    await statuses.delete_status(
        session=session, runtime=runtime, viewer=member.account, status_id=sid, delete_media=True
    )
    if wants_json(request):
        return json_response({"deleted": str(sid)})
    back = safe_next(form.next, "/home")
    if back.rstrip("/").endswith(f"/{sid}"):  # the post's own page is gone
        back = f"/@{member.account.username}"
    return redirect(back)


@router.post("/statuses/{status_id}/{action}")
async def act(
    request: Request,
    status_id: str,
    action: str,
    member: CheckedMember,
    form: Annotated[NextForm, Depends(params(NextForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    verb = ACTIONS.get(action)
    if verb is None:
        raise NotFound()
    result = await verb(session, runtime, member.account, parse_id(status_id))
    if not wants_json(request):
        return redirect(safe_next(form.next, "/home"))
    post = await _rendered(reader, runtime, result.reblog_of_id or result.id, member.account.id)
    return json_response(
        {
            "id": post["id"],
            "favourited": post["favourited"],
            "favourites_count": post["favourites_count"],
            "reblogged": post["reblogged"],
            "reblogs_count": post["reblogs_count"],
            "replies_count": post["replies_count"],
            "bookmarked": post["bookmarked"],
            "pinned": post["pinned"],
        }
    )


@router.get("/@{username}/{status_id}")
async def thread(
    request: Request,
    username: str,
    status_id: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    viewer_id = visitor.account_id
    status = await get_visible(session, viewer_id, parse_id(status_id))
    if status.reblog_of_id is not None:
        status = await get_visible(session, viewer_id, status.reblog_of_id)
    author = await session.get(Account, status.account_id)
    if author is None:
        raise NotFound()
    if author.username_lower != username.lower() or str(status.id) != status_id:
        return redirect(f"/@{author.username}/{status.id}")
    context = await thread_context(session=session, viewer_id=viewer_id, status_id=status.id)
    # The post opened is shown whatever the filters; the thread around it is filtered.
    shown = await render_statuses(session, [status], viewer_id, runtime=runtime)
    if not shown:  # deleted meanwhile
        raise NotFound()
    focused = shown[0]
    rendered = await render_statuses(
        session,
        [*context.ancestors, *context.descendants],
        viewer_id,
        runtime=runtime,
        context="thread",
    )
    above = {str(s.id) for s in context.ancestors}
    return await render_page(
        request,
        "thread.html",
        session=session,
        title=f"{author.display_name or author.username}: a post",
        ancestors=[s for s in rendered if s["id"] in above],
        focused=focused,
        descendants=[s for s in rendered if s["id"] not in above],
        reply_text=_reply_mentions(focused, visitor.account),
    )


def _reply_mentions(status: dict[str, Any], me: Account | None) -> str:
    """``@author @others `` for the reply box, leaving out the person replying."""
    names = [status["account"]["username"], *(m["username"] for m in status["mentions"])]
    mine = me.username.lower() if me else None
    wanted = [n for n in dict.fromkeys(names) if n.lower() != mine]
    return "".join(f"@{name} " for name in wanted)
