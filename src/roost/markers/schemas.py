"""What clients send to and get from the markers API (Mastodon's Marker entity)."""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from roost.core.inputs import Id


class MarkersQuery(BaseModel):
    """GET /api/v1/markers: ``timeline[]=home&timeline[]=notifications``."""

    timeline: list[str] = []

    @field_validator("timeline", mode="before")
    @classmethod
    def _one(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class MarkerPosition(BaseModel):
    last_read_id: Id


class SaveMarkers(BaseModel):
    """POST /api/v1/markers, as JSON (the form spells it ``home[last_read_id]``)."""

    home: MarkerPosition | None = None
    notifications: MarkerPosition | None = None


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Marker(BaseModel):
    last_read_id: str
    version: int
    updated_at: str
