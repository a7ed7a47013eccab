"""The Mastodon markers API: GET and POST /api/v1/markers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from roost.core.errors import BadRequest, Unprocessable
from roost.core.http import JSON, json_response, params, raw_params
from roost.core.inputs import ID_SCHEMA, id_or_none
from roost.deps import ReadSession, Viewer, WriteSession, require
from roost.markers import service as markers
from roost.markers.models import MARKER_TIMELINES
from roost.markers.schemas import Marker, MarkersQuery, SaveMarkers
from roost.notifications.groups import Filters
from roost.notifications.schemas import UnreadCount, UnreadCountFilter

router = APIRouter(tags=["markers"])

NotificationsReader = Annotated[Viewer, Depends(require("read:notifications"))]
UnreadQuery = Annotated[UnreadCountFilter, Depends(params(UnreadCountFilter))]

# The form spells the JSON body's ``{"home": {"last_read_id": X}}`` ``home[last_read_id]=X``.
_FORM_FIELDS = {
    "type": "object",
    "properties": {f"{timeline}[last_read_id]": ID_SCHEMA for timeline in MARKER_TIMELINES},
}


@router.get("/api/v1/markers", response_model=dict[str, Marker])
async def get_markers(
    viewer: Annotated[Viewer, Depends(require("read:statuses"))],
    query: Annotated[MarkersQuery, Depends(params(MarkersQuery))],
    session: ReadSession,
) -> JSON:
    assert viewer.account_id is not None
    return json_response(
        await markers.read_markers(
            session=session, account_id=viewer.account_id, timelines=query.timeline
        )
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
        number = id_or_none(value)
        if number is None:
            raise Unprocessable(f"Validation failed: {timeline}: last_read_id must be an id")
        positions[timeline] = number
    if not positions:
        raise BadRequest("Missing parameter: home[last_read_id] or notifications[last_read_id]")
    return positions


@router.post("/api/v1/markers", response_model=dict[str, Marker])
async def save_markers(
    viewer: Annotated[Viewer, Depends(require("write:statuses"))],
    raw: Annotated[dict[str, Any], Depends(raw_params(SaveMarkers, form_fields=_FORM_FIELDS))],
    session: WriteSession,
) -> JSON:
    assert viewer.account_id is not None
    positions = _positions(raw)
    return json_response(
        await markers.save_markers(
            session=session, account_id=viewer.account_id, positions=positions
        )
    )


# The unread counts live here, beside the marker they count from (notifications
# depend on no marker; markers depend on notifications).


async def _unread_count(
    viewer: Viewer, query: UnreadCountFilter, session: ReadSession, *, grouped: bool
) -> JSON:
    assert viewer.account_id is not None
    count = await markers.unread_notifications(
        session=session,
        account_id=viewer.account_id,
        filters=Filters(
            types=query.types, exclude_types=query.exclude_types, account_id=query.account_id
        ),
        grouped=grouped,
        grouped_types=query.grouped_types,
        limit=query.clamped_limit(),
    )
    return json_response({"count": count})


@router.get("/api/v1/notifications/unread_count", response_model=UnreadCount)
async def unread_count(
    viewer: NotificationsReader, query: UnreadQuery, session: ReadSession
) -> JSON:
    return await _unread_count(viewer, query, session, grouped=False)


@router.get("/api/v2/notifications/unread_count", response_model=UnreadCount)
async def unread_group_count(
    viewer: NotificationsReader, query: UnreadQuery, session: ReadSession
) -> JSON:
    return await _unread_count(viewer, query, session, grouped=True)
