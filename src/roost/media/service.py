"""PLACEHOLDER, replaced at merge by the media-api branch's service.py (same signatures).

Just enough for posts with media and their tests: an upload processed inline and
stored at once, and files removed by key."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit, utcnow
from roost.core.errors import Unprocessable
from roost.core.ids import new_id
from roost.media.models import MediaAttachment
from roost.media.processing import RejectedMedia, process_image
from roost.media.storage import key_for

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def upload_media(
    *,
    runtime: Runtime,
    session: AsyncSession,
    account: Account,
    data: bytes,
    description: str | None = None,
    focus: str | None = None,
    wait: bool = True,
) -> MediaAttachment:
    try:
        image = await asyncio.to_thread(process_image, data)
    except RejectedMedia as exc:
        raise Unprocessable(str(exc)) from exc
    keys = []
    for variant in (image.original, image.small):
        key = key_for(variant.data, folder="media", extension=variant.extension)
        await runtime.media.put(key, variant.data, content_type=variant.content_type)
        keys.append(key)
    x, _, y = (focus or "0,0").partition(",")
    attachment = MediaAttachment(
        id=new_id(),
        account_id=account.id,
        type="image",
        state="ready",
        file_key=keys[0],
        thumbnail_key=keys[1],
        content_type=image.original.content_type,
        file_size=len(image.original.data),
        meta={"original": image.original.meta(), "small": image.small.meta()},
        description=description,
        focus_x=float(x or 0),
        focus_y=float(y or 0),
        blurhash=image.blurhash,
        created_at=utcnow(),
    )
    session.add(attachment)
    await commit(session)
    return attachment


async def delete_media_files(*, runtime: Runtime, keys: list[str]) -> None:
    await runtime.media.delete(keys)
