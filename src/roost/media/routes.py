"""HTTP for /api/v1/media and /api/v2/media (uploads), and /system/ (the files on the
local disk)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, RedirectResponse, Response

from roost.core.errors import Unprocessable
from roost.core.http import JSON, json_response, params, parse_id
from roost.core.inputs import check_text
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.media import service
from roost.media.limits import MAX_DESCRIPTION
from roost.media.models import MediaAttachment as Row
from roost.media.render import render_media
from roost.media.schemas import MediaAttachment, MediaUpdate, Upload

router = APIRouter()

Uploader = Annotated[Viewer, Depends(require("write:media"))]

# A file is named by its content's hash: it never changes, so it may be kept forever.
FILE_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; form-action 'none'",
}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
                        "focus": {"type": "string", "description": '"x,y" in -1.0..1.0'},
                        "thumbnail": {
                            "type": "string",
                            "format": "binary",
                            "description": "Not supported: refused with 422",
                        },
                    },
                }
            }
        },
    }
}
NO_THUMBNAILS = (
    "Custom thumbnails are not supported: Roost takes pictures and animated GIFs only,"
    " and makes their previews itself"
)


async def read_upload(request: Request) -> Upload:
    """The multipart form of an upload: ``file``, ``description``, ``focus``."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Unprocessable("Validation failed: File can't be blank (send multipart/form-data)")
    async with request.form(max_files=2, max_fields=20) as form:
        fields = {name: form.get(name) for name in ("description", "focus")}
        text = {name: value for name, value in fields.items() if isinstance(value, str)}
        check_text(text)
        if isinstance(form.get("thumbnail"), UploadFile):
            raise Unprocessable(NO_THUMBNAILS)
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise Unprocessable("Validation failed: File can't be blank")
        data = await file.read()
    return Upload(data, text.get("description"), text.get("focus"))


async def no_thumbnail(request: Request) -> None:
    """Refuse a ``thumbnail`` file; close any file sent, before ``params`` reads the
    text of the same form (Starlette keeps it)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return
    form = await request.form(max_files=2, max_fields=20)
    sent = isinstance(form.get("thumbnail"), UploadFile)
    await form.close()
    if sent:
        raise Unprocessable(NO_THUMBNAILS)


@router.post(
    "/api/v2/media",
    response_model=MediaAttachment,
    responses={202: {"description": "Accepted: processed by a job, `url` null until done"}},
    openapi_extra=UPLOAD_BODY,
)
async def upload_v2(
    viewer: Uploader,
    upload: Annotated[Upload, Depends(read_upload)],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    media = await service.upload_media(
        runtime=runtime,
        session=session,
        account=viewer.person,
        data=upload.data,
        description=upload.description,
        focus=upload.focus,
        wait=False,
    )
    return _rendered(media, runtime, processing=202)


@router.post("/api/v1/media", response_model=MediaAttachment, openapi_extra=UPLOAD_BODY)
async def upload_v1(
    viewer: Uploader,
    upload: Annotated[Upload, Depends(read_upload)],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    media = await service.upload_media(
        runtime=runtime,
        session=session,
        account=viewer.person,
        data=upload.data,
        description=upload.description,
        focus=upload.focus,
    )
    return _rendered(media, runtime)


@router.get(
    "/api/v1/media/{media_id}",
    response_model=MediaAttachment,
    responses={206: {"description": "Still being processed: `url` is null"}},
)
async def get_media(
    viewer: Uploader, media_id: str, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    media = await service.read_media(
        session=session, account=viewer.person, media_id=parse_id(media_id)
    )
    return _rendered(media, runtime, processing=206)


@router.put("/api/v1/media/{media_id}", response_model=MediaAttachment)
async def update_media(
    viewer: Uploader,
    media_id: str,
    _: Annotated[None, Depends(no_thumbnail)],
    body: Annotated[MediaUpdate, Depends(params(MediaUpdate))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    media = await service.update_media(
        session=session,
        account=viewer.person,
        media_id=parse_id(media_id),
        description=body.description,
        focus=body.focus,
        fields=body.model_fields_set,
    )
    return _rendered(media, runtime, processing=206)


@router.delete("/api/v1/media/{media_id}")
async def delete_media(
    viewer: Uploader, media_id: str, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    await service.delete_media(
        runtime=runtime, session=session, account=viewer.person, media_id=parse_id(media_id)
    )
    return json_response({})


def _rendered(media: Row, runtime: RuntimeDep, *, processing: int = 200) -> JSON:
    """200 when processed; while a job is still at it, 202 (the v2 upload) or 206."""
    status = processing if media.state == "processing" else 200
    return json_response(render_media(media, storage=runtime.media), status_code=status)


@router.api_route("/system/{key:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def media_file(key: str, runtime: RuntimeDep) -> Response:
    if address := service.remote_address(storage=runtime.media, key=key):
        return RedirectResponse(address, status_code=302, headers=FILE_HEADERS)
    path, content_type = service.local_file(storage=runtime.media, key=key)
    return FileResponse(path, media_type=content_type, headers=FILE_HEADERS)
