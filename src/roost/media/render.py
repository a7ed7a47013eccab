"""The MediaAttachment entity."""

from __future__ import annotations

from typing import Any

from roost.media.models import MediaAttachment
from roost.media.storage import MediaStorage


def render_media(attachment: MediaAttachment, *, storage: MediaStorage) -> dict[str, Any]:
    """As Mastodon shows it; ``url`` is null while the file is still being processed."""
    meta: dict[str, Any] = dict(attachment.meta or {})
    meta["focus"] = {"x": attachment.focus_x, "y": attachment.focus_y}
    return {
        "id": str(attachment.id),
        "type": attachment.type,
        "url": storage.url(attachment.file_key) if attachment.file_key else None,
        "preview_url": (
            storage.url(attachment.thumbnail_key) if attachment.thumbnail_key else None
        ),
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": attachment.description,
        "blurhash": attachment.blurhash,
    }
