"""The Mastodon ScheduledStatus entity, with the media each post holds (one query)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.http import iso
from roost.media.attach import scheduled_media
from roost.media.render import render_media
from roost.media.storage import MediaStorage
from roost.scheduled.models import ScheduledStatus


async def render_scheduled(
    session: AsyncSession, rows: Sequence[ScheduledStatus], *, storage: MediaStorage
) -> list[dict[str, Any]]:
    held = await scheduled_media(session, (row.id for row in rows))
    return [
        {
            "id": str(row.id),
            "scheduled_at": iso(row.scheduled_at),
            "params": row.params,
            "media_attachments": [render_media(m, storage=storage) for m in held.get(row.id, [])],
        }
        for row in rows
    ]
