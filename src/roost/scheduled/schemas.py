"""What clients send to /api/v1/scheduled_statuses, and the ScheduledStatus entity."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class RescheduleIn(BaseModel):
    scheduled_at: str | None = None


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class ScheduledParams(BaseModel):
    text: str
    poll: dict[str, Any] | None
    media_ids: list[str] | None
    sensitive: bool | None
    spoiler_text: str | None
    visibility: str | None
    language: str | None
    scheduled_at: None
    idempotency: str | None
    with_rate_limit: bool
    in_reply_to_id: str | None
    application_id: int | None


class ScheduledStatus(BaseModel):
    """Mastodon's ScheduledStatus entity (``scheduled/render.py``)."""

    id: str
    scheduled_at: str
    params: ScheduledParams
    media_attachments: list[dict[str, Any]]
