"""HTTP for hashtags: one tag, following and unfollowing it, the followed ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from roost.core.http import JSON, PageParams, json_response, page_params
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, optional, require
from roost.tags import service
from roost.tags.schemas import TagEntity

router = APIRouter(tags=["tags"])
Follower = Annotated[Viewer, Depends(require("write:follows"))]


@router.get("/api/v1/tags/{name}", response_model=TagEntity)
async def tag(
    name: str,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(optional("read:follows"))],
) -> JSON:
    return json_response(
        await service.read_tag(
            session=session, runtime=runtime, name=name, viewer_id=viewer.account_id
        )
    )


@router.post("/api/v1/tags/{name}/follow", response_model=TagEntity)
async def follow(name: str, viewer: Follower, session: WriteSession, runtime: RuntimeDep) -> JSON:
    return json_response(
        await service.follow_tag(
            session=session, runtime=runtime, viewer_id=viewer.person_id, name=name
        )
    )


@router.post("/api/v1/tags/{name}/unfollow", response_model=TagEntity)
async def unfollow(name: str, viewer: Follower, session: WriteSession, runtime: RuntimeDep) -> JSON:
    return json_response(
        await service.unfollow_tag(
            session=session, runtime=runtime, viewer_id=viewer.person_id, name=name
        )
    )


@router.get("/api/v1/followed_tags", response_model=list[TagEntity])
async def followed_tags(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("read:follows"))],
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> JSON:
    page = await service.read_followed_tags(
        session=session, runtime=runtime, viewer_id=viewer.person_id, page=paging
    )
    return page.response(request, base_url=runtime.settings.base_url)
