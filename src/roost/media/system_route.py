"""Placeholder: stored files served at ``/system/<key>`` from the local disk, so the
avatars, headers and card images of this branch can be fetched. The media upload work
brings the real route (S3 too); this file goes away at that merge."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from starlette.responses import Response

from roost.core.errors import NotFound
from roost.media.storage import LocalStorage

router = APIRouter()

_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",  # keys are content-hashed
    "X-Content-Type-Options": "nosniff",
}


@router.get("/system/{key:path}", include_in_schema=False)
async def stored_file(key: str, request: Request) -> Response:
    storage = request.app.state.runtime.media
    if not isinstance(storage, LocalStorage):
        raise NotFound()
    try:
        data = await storage.get(key)
    except (OSError, ValueError) as exc:  # missing, or a key outside the root
        raise NotFound() from exc
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    return Response(data, media_type=content_type, headers=_HEADERS)
