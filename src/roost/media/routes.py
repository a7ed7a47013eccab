"""PLACEHOLDER, replaced at merge by the media-api branch: the files under /system/."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter
from starlette.responses import Response

from roost.core.errors import NotFound
from roost.deps import RuntimeDep

router = APIRouter()


@router.get("/system/{key:path}", include_in_schema=False)
async def media_file(key: str, runtime: RuntimeDep) -> Response:
    try:
        data = await runtime.media.get(key)
    except (OSError, ValueError) as exc:
        raise NotFound() from exc
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=31536000"}
    return Response(data, media_type=content_type, headers=headers)
