"""What clients send about media (multipart uploads, updates), and the MediaAttachment
entity (for the OpenAPI document; ``render.py`` writes it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from roost.core.errors import Unprocessable
from roost.media.limits import MAX_DESCRIPTION


@dataclass(frozen=True)
class Upload:
    """A multipart upload as the routes read it: the file's bytes and the text beside."""

    data: bytes
    description: str | None
    focus: str | None


class MediaUpdate(BaseModel):
    """``PUT /api/v1/media/:id``: form or JSON."""

    model_config = ConfigDict(extra="ignore")

    description: str | None = Field(
        default=None, description=f"Alt text, at most {MAX_DESCRIPTION} characters"
    )
    focus: str | None = Field(default=None, description='"x,y", each in -1.0..1.0')


def description_of(text: str | None) -> str | None:
    """Alt text as kept: blank is none; longer than Mastodon's limit is refused."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_DESCRIPTION:
        raise Unprocessable(
            f"Validation failed: Description is too long (maximum is {MAX_DESCRIPTION} characters)"
        )
    return text


def focus_of(text: str | None) -> tuple[float, float] | None:
    """``"x,y"`` with both in [-1, 1] (Mastodon's focal point); None when not sent."""
    if text is None or not text.strip():
        return None
    parts = text.split(",")
    try:
        x, y = (float(part) for part in parts)
    except ValueError:
        raise Unprocessable(
            'Validation failed: Focus must be two numbers "x,y" between -1.0 and 1.0'
        ) from None
    if not (-1.0 <= x <= 1.0 and -1.0 <= y <= 1.0):
        raise Unprocessable("Validation failed: Focus must be between -1.0 and 1.0")
    return x, y


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class MediaAttachment(BaseModel):
    """Mastodon's MediaAttachment entity (``media/render.py``)."""

    id: str
    type: str = Field(description="image or gifv")
    url: str | None = Field(description="null while the file is being processed")
    preview_url: str | None
    remote_url: str | None
    preview_remote_url: str | None
    text_url: str | None
    meta: dict[str, Any]
    description: str | None
    blurhash: str | None
