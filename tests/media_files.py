"""Pictures for tests, and uploads made straight in the database and the media storage
for in-process tests of posts with media (a state the API cannot hold still, such as
"processing", included): real pictures, processed by the real pipeline
(media/processing.py), so their files, sizes and blurhashes are what an upload would
have stored. Live-server tests upload through the API."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw

from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.media.models import MediaAttachment
from roost.media.processing import process_image
from roost.media.storage import key_for
from roost.runtime import Runtime


def picture(
    width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 40, 40)
) -> bytes:
    """A PNG of one colour (each colour gives other bytes, so other keys)."""
    out = BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def landscape(
    width: int = 640,
    height: int = 420,
    sky: tuple[int, int, int] = (120, 170, 230),
    ground: tuple[int, int, int] = (60, 120, 70),
) -> bytes:
    """A JPEG that looks like a photo in a screenshot: a sky, a sun and a field."""
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = height * 3 // 5
    for y in range(horizon):  # the sky lightens towards the horizon
        shade = tuple(min(255, c + y * 60 // horizon) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    radius = height // 8
    draw.ellipse(
        [width * 2 // 3, height // 6, width * 2 // 3 + 2 * radius, height // 6 + 2 * radius],
        fill=(250, 220, 120),
    )
    draw.rectangle([0, horizon, width, height], fill=ground)
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def make_media(
    runtime: Runtime,
    account_id: int | str,
    *,
    data: bytes | None = None,
    description: str | None = None,
    state: str = "ready",
) -> MediaAttachment:
    """An unattached upload of ``account_id``'s; ``state`` "processing" has no files yet."""
    row = MediaAttachment(
        id=new_id(),
        account_id=int(account_id),
        type="image",
        state=state,
        description=description,
        created_at=utcnow(),
    )
    if state == "ready":
        image = process_image(data or picture())
        keys = []
        for variant in (image.original, image.small):
            key = key_for(variant.data, folder="media", extension=variant.extension)
            await runtime.media.put(key, variant.data, content_type=variant.content_type)
            keys.append(key)
        row.file_key, row.thumbnail_key = keys
        row.content_type = image.original.content_type
        row.file_size = len(image.original.data)
        row.meta = {"original": image.original.meta(), "small": image.small.meta()}
        row.blurhash = image.blurhash
    async with runtime.db.write() as session:
        session.add(row)
        await session.commit()
    return row
