"""Pictures on the web page: what the compose box uploads, and how a sensitive
picture's cover is drawn.

The compose box sends up to ``MAX_IMAGES`` files with their descriptions in one
multipart form (``media_file_<n>``, ``media_description_<n>``). The route uploads
each through the media service, then posts them with the text.

A sensitive picture is shown behind its blurhash: decoded here, server-side, into a
tiny PNG sent as a ``data:`` URL (the page's CSP allows ``img-src data:``). So the
picture itself is not fetched until the reader asks for it, and nothing of it shows
through a CSS blur that a slow connection or a disabled stylesheet would undo.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING

import blurhash
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from roost.accounts.models import Account
from roost.core.errors import Unprocessable
from roost.media.attach import MAX_ATTACHMENTS, check_description
from roost.media.service import upload_media

if TYPE_CHECKING:
    from roost.runtime import Runtime

MAX_IMAGES = MAX_ATTACHMENTS
# What the compose box's POST may carry: four pictures of up to 16 MB, and the rest.
COMPOSE_MAX_BYTES = MAX_IMAGES * (16 << 20) + (1 << 20)
ACCEPTED = "image/jpeg,image/png,image/webp,image/gif"
COVER_SIZE = 32  # pixels a side of a decoded blurhash: stretched, it stays a blur


@dataclass(frozen=True)
class ChosenImage:
    data: bytes
    description: str | None


async def chosen_images(request: Request) -> list[ChosenImage]:
    """The pictures a compose form carries, in its order, with their descriptions;
    empty file fields are none. (The form was parsed already, for the text.)"""
    form = await request.form()
    chosen = []
    try:
        for n in range(MAX_IMAGES + 1):  # one more than allowed: to say there are too many
            file = form.get(f"media_file_{n}")
            if not isinstance(file, UploadFile) or not file.filename:
                continue
            data = await file.read()
            if not data:
                continue
            described = form.get(f"media_description_{n}")
            text = described.strip() if isinstance(described, str) else ""
            chosen.append(ChosenImage(data, check_description(text) if text else None))
    finally:
        await form.close()  # the files spooled to disk
    if len(chosen) > MAX_IMAGES:
        raise Unprocessable(f"A post takes at most {MAX_IMAGES} images")
    return chosen


async def upload_images(
    *, session: AsyncSession, runtime: Runtime, author: Account, images: list[ChosenImage]
) -> list[int]:
    """Upload the chosen pictures (each checked and processed by the media service);
    their ids, for the post. A picture refused stops here, before the post."""
    ids = []
    for image in images:
        media = await upload_media(
            runtime=runtime,
            session=session,
            account=author,
            data=image.data,
            description=image.description,
        )
        ids.append(media.id)
    return ids


@lru_cache(maxsize=4096)
def blurhash_url(value: str | None) -> str:
    """A ``data:`` URL of the blurhash as a small PNG; empty if there is none (or it
    is not a blurhash: the cover is then plain, see roost.css)."""
    if not value or not blurhash.is_valid_blurhash(value):
        return ""
    image = blurhash.decode(value, COVER_SIZE, COVER_SIZE)
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
