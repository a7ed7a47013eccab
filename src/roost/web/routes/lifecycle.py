"""Settings for the account's life: export its data, import follows, blocks and mutes
from Mastodon's CSV files, delete it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response, StreamingResponse

from roost.core.errors import NotFound, RateLimited, RoostError, Unprocessable
from roost.core.http import params
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.lifecycle import exports, imports
from roost.web import service
from roost.web.forms import DeleteAccountForm, ImportForm
from roost.web.pages import Download, WebRoute, download, redirect, render_page
from roost.web.visitor import CheckedMember, MemberDep, set_session_cookie

router = APIRouter(route_class=WebRoute)

CSV_EXPORTS = {
    "following": exports.following_csv,
    "blocks": exports.blocks_csv,
    "mutes": exports.mutes_csv,
    "bookmarks": exports.bookmarks_csv,
}


class StreamedDownload(StreamingResponse):
    """A download written as it is read (the posts export)."""


@router.get("/settings/export")
async def export_page(request: Request, member: MemberDep, session: ReadSession) -> Response:
    return await render_page(
        request, "export.html", session=session, title="Export your data", files=exports.FILES
    )


@router.get("/settings/export/statuses.json")
async def export_statuses(member: MemberDep, runtime: RuntimeDep) -> StreamedDownload:
    filename, media_type = exports.FILES["statuses"]
    return StreamedDownload(
        exports.statuses_json(runtime=runtime, account_id=member.account.id),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/settings/export/{name}.csv")
async def export_csv(
    name: str, member: MemberDep, session: ReadSession, runtime: RuntimeDep
) -> Download:
    make = CSV_EXPORTS.get(name)
    if make is None:
        raise NotFound()
    filename, media_type = exports.FILES[name]
    body = await make(session=session, runtime=runtime, account_id=member.account.id)
    return download(body, filename=filename, media_type=media_type)


async def _import_page(
    request: Request,
    member: MemberDep,
    session: ReadSession,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    return await render_page(
        request,
        "import.html",
        session=session,
        status_code=status_code,
        title="Import follows, blocks and mutes",
        imports=await imports.recent_imports(session=session, account_id=member.account.id),
        kind_names=imports.KIND_NAMES,
        max_rows=imports.MAX_ROWS,
        **context,
    )


@router.get("/settings/import")
async def import_page(request: Request, member: MemberDep, session: ReadSession) -> Response:
    notice = "Your file is being imported." if request.query_params.get("started") else None
    return await _import_page(request, member, session, notice=notice)


@router.post("/settings/import")
async def start_import(
    request: Request,
    member: CheckedMember,
    form: Annotated[ImportForm, Depends(params(ImportForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await imports.start_import(
            session=session,
            runtime=runtime,
            account_id=member.account.id,
            kind=form.type,
            mode=form.mode,
            data=await _uploaded(request),
        )
    except RoostError as exc:
        return await _import_page(
            request,
            member,
            reader,
            status_code=exc.status_code,
            errors=[exc.message],
            values={"type": form.type, "mode": form.mode},
        )
    return redirect("/settings/import?started=1")


async def _uploaded(request: Request) -> bytes:
    """The file of the import form (the body was already held to ROOST_MAX_BODY_BYTES)."""
    upload = (await request.form()).get("data")  # WebRoute closes the form
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Unprocessable("Choose a CSV file to import")
    return await upload.read()


@router.get("/settings/delete")
async def delete_page(request: Request, member: MemberDep, session: ReadSession) -> Response:
    return await render_page(
        request, "delete_account.html", session=session, title="Delete account"
    )


@router.post("/settings/delete")
async def delete_account(
    request: Request,
    member: CheckedMember,
    form: Annotated[DeleteAccountForm, Depends(params(DeleteAccountForm))],
    session: WriteSession,
    reader: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await service.delete_account(
            read_session=reader,
            write_session=session,
            runtime=runtime,
            account_id=member.account.id,
            password=form.password,
        )
    except RoostError as exc:
        message = (
            "Too many attempts. Please wait a few minutes and try again."
            if isinstance(exc, RateLimited)
            else exc.message
        )
        page = await render_page(
            request,
            "delete_account.html",
            session=reader,
            status_code=exc.status_code,
            title="Delete account",
            errors=[message],
        )
        page.headers.update(exc.headers)
        return page
    set_session_cookie(request, None)
    request.state.visitor = None  # the page below is drawn signed out
    return await render_page(
        request,
        "message.html",
        title="Your account is deleted",
        message=f"@{member.account.username} is deleted: your posts, follows and everything "
        "else are being removed now. The username stays reserved, so nobody can take it.",
    )
