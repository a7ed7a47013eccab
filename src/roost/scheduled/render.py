"""The Mastodon ScheduledStatus entity."""

from __future__ import annotations

from typing import Any

from roost.core.http import iso
from roost.scheduled.models import ScheduledStatus


def render_scheduled(row: ScheduledStatus) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "scheduled_at": iso(row.scheduled_at),
        "params": row.params,
        "media_attachments": [],
    }
