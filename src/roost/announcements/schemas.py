"""What the announcement endpoints answer: for the OpenAPI document only."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Reaction(BaseModel):
    name: str
    count: int
    me: bool


class Announcement(BaseModel):
    """Mastodon's Announcement entity."""

    id: str
    content: str
    starts_at: str | None
    ends_at: str | None
    published: bool
    all_day: bool
    published_at: str
    updated_at: str
    read: bool
    mentions: list[dict[str, Any]]
    statuses: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    emojis: list[dict[str, Any]]
    reactions: list[Reaction]
