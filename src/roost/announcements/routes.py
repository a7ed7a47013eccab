"""HTTP for announcements: the list with what the viewer read and reacted, dismissing,
and unicode emoji reactions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from roost.announcements import service
from roost.announcements.schemas import Announcement
from roost.core.http import JSON, json_response, parse_id
from roost.deps import ReadSession, Viewer, WriteSession, require

router = APIRouter()


@router.get("/api/v1/announcements", response_model=list[Announcement])
async def announcements(
    viewer: Annotated[Viewer, Depends(require("read"))], session: ReadSession
) -> JSON:
    return json_response(
        await service.active_announcements(session=session, viewer_id=viewer.person_id)
    )


@router.post("/api/v1/announcements/{announcement_id}/dismiss", response_model=dict[str, Any])
async def dismiss(
    announcement_id: str,
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    session: WriteSession,
) -> JSON:
    await service.dismiss_announcement(
        session=session, viewer_id=viewer.person_id, announcement_id=parse_id(announcement_id)
    )
    return json_response({})


@router.put(
    "/api/v1/announcements/{announcement_id}/reactions/{name}", response_model=dict[str, Any]
)
async def react(
    announcement_id: str,
    name: str,
    viewer: Annotated[Viewer, Depends(require("write:favourites"))],
    session: WriteSession,
) -> JSON:
    await service.add_reaction(
        session=session,
        viewer_id=viewer.person_id,
        announcement_id=parse_id(announcement_id),
        name=name,
    )
    return json_response({})


@router.delete(
    "/api/v1/announcements/{announcement_id}/reactions/{name}", response_model=dict[str, Any]
)
async def unreact(
    announcement_id: str,
    name: str,
    viewer: Annotated[Viewer, Depends(require("write:favourites"))],
    session: WriteSession,
) -> JSON:
    await service.remove_reaction(
        session=session,
        viewer_id=viewer.person_id,
        announcement_id=parse_id(announcement_id),
        name=name,
    )
    return json_response({})
