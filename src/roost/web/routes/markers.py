"""The Mastodon markers API: GET and POST /api/v1/markers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.core.errors import BadRequest, Unprocessable
from roost.core.http import JSON, json_response, request_params
from roost.deps import ReadSession, Viewer, WriteSession, require
from roost.web import markers
from roost.web.models import MARKER_TIMELINES

router = APIRouter(tags=["markers"])


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


@router.get("/api/v1/markers")
async def get_markers(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("read:statuses"))],
    session: ReadSession,
) -> JSON:
    assert viewer.account_id is not None
    wanted = _as_list((await request_params(request)).get("timeline"))
    return json_response(
        await markers.read_markers(session=session, account_id=viewer.account_id, timelines=wanted)
    )


def _positions(raw: dict[str, Any]) -> dict[str, int]:
    """``home[last_read_id]=X`` (form) or ``{"home": {"last_read_id": "X"}}`` (JSON)."""
    positions: dict[str, int] = {}
    for timeline in MARKER_TIMELINES:
        value = raw.get(f"{timeline}[last_read_id]")
        nested = raw.get(timeline)
        if value is None and isinstance(nested, dict):
            value = nested.get("last_read_id")
        if value is None:
            continue
        text = str(value)
        if isinstance(value, bool) or not text.isdigit() or len(text) > 19 or int(text) >= 1 << 63:
            raise Unprocessable(f"Validation failed: {timeline}: last_read_id must be an id")
        positions[timeline] = int(text)
    if not positions:
        raise BadRequest("Missing parameter: home[last_read_id] or notifications[last_read_id]")
    return positions


@router.post("/api/v1/markers")
async def save_markers(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("write:statuses"))],
    session: WriteSession,
) -> JSON:
    assert viewer.account_id is not None
    positions = _positions(await request_params(request))
    return json_response(
        await markers.save_markers(
            session=session, account_id=viewer.account_id, positions=positions
        )
    )
