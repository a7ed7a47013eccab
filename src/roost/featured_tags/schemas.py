"""What the featured tag endpoints read and answer (answers: OpenAPI document only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class FeatureParams(BaseModel):
    name: str | None = None


class FeaturedTag(BaseModel):
    id: str
    name: str
    url: str
    statuses_count: str
    last_status_at: str | None


class Tag(BaseModel):
    id: str
    name: str
    url: str
    history: list[dict[str, Any]]
