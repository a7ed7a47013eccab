"""API shapes of hashtags: Mastodon's Tag entity."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class TagEntity(BaseModel):
    id: str
    name: str
    url: str
    history: list[dict[str, Any]]
    following: bool | None = None
