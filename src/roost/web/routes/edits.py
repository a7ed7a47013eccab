"""Editing a post (its text, content warning, its pictures' descriptions, which pictures
it keeps) and a post's edit history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from roost.accounts.models import Account
from roost.core.errors import NotFound, Unprocessable
from roost.core.http import params, parse_id
from roost.core.inputs import id_or_none
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.media.attach import MediaChange, check_description
from roost.statuses import edits
from roost.statuses.models import Status
from roost.statuses.render import render_history, render_statuses
from roost.web.forms import EditForm
from roost.web.pages import WebRoute, redirect, render_page
from roost.web.visitor import CheckedMember, MemberDep, VisitorDep

if TYPE_CHECKING:
    from roost.runtime import Runtime

router = APIRouter(route_class=WebRoute)


@router.get("/statuses/{status_id}/edit")
async def edit_form(
    request: Request,
    status_id: str,
    member: MemberDep,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    """The edit form, prefilled with what the author typed (the post's source)."""
    status = await edits.status_source(
        session=session, viewer_id=member.account.id, status_id=parse_id(status_id)
    )
    if status.account_id != member.account.id or status.reblog_of_id is not None:
        raise NotFound()
    form = EditForm(
        status=status.text, spoiler_text=status.spoiler_text, sensitive=status.sensitive
    )
    return await _edit_page(request, session, runtime, status, form, errors=[])


@router.post("/statuses/{status_id}/edit")
async def edit(
    request: Request,
    status_id: str,
    member: CheckedMember,
    form: Annotated[EditForm, Depends(params(EditForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        kept, changes = _media_of(form)
        status = await edits.edit_status(
            session=session,
            runtime=runtime,
            author=member.account,
            status_id=parse_id(status_id),
            text=form.status,
            spoiler_text=form.spoiler_text,
            sensitive=form.sensitive,
            media_ids=kept,
            media_changes=changes,
        )
    except Unprocessable as exc:
        original = await reader.get(Status, parse_id(status_id))
        if original is None:
            raise NotFound() from exc
        return await _edit_page(
            request, reader, runtime, original, form, errors=[exc.message], status_code=422
        )
    return redirect(f"/@{member.account.username}/{status.id}")


def _media_of(form: EditForm) -> tuple[list[int], list[MediaChange]]:
    """The pictures the form keeps, in order, and their descriptions as typed."""
    removed = set(form.remove_media)
    kept = [
        number
        for media_id in form.media_ids
        if media_id not in removed and (number := id_or_none(media_id)) is not None
    ]
    descriptions = form.model_extra or {}
    changes = []
    for media_id in kept:
        typed = descriptions.get(f"media_description_{media_id}")
        if isinstance(typed, str):
            changes.append(MediaChange(media_id, check_description(typed.strip())))
    return kept, changes


async def _edit_page(
    request: Request,
    session: AsyncSession,
    runtime: Runtime,
    status: Status,
    form: EditForm,
    *,
    errors: list[str],
    status_code: int = 200,
) -> Response:
    shown = await render_statuses(session, [status], status.account_id, runtime=runtime)
    media: list[dict[str, Any]] = shown[0]["media_attachments"] if shown else []
    return await render_page(
        request,
        "edit.html",
        session=session,
        status_code=status_code,
        title="Edit post",
        status_id=str(status.id),
        form=form,
        media=media,
        errors=errors,
    )


@router.get("/@{username}/{status_id}/history")
async def history(
    request: Request,
    username: str,
    status_id: str,
    visitor: VisitorDep,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    """Every version of a post, newest first, as private as the post."""
    versions = await edits.status_history(
        session=session, viewer_id=visitor.account_id, status_id=parse_id(status_id)
    )
    author = await session.get(Account, versions[0].account_id)
    if author is None:
        raise NotFound()
    if author.username_lower != username.lower():
        return redirect(f"/@{author.username}/{status_id}/history")
    rendered = await render_history(session, versions, runtime=runtime)
    return await render_page(
        request,
        "history.html",
        session=session,
        title=f"{author.display_name or author.username}: edit history",
        author=author,
        status_id=status_id,
        versions=list(reversed(rendered)),
    )
