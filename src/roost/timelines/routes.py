from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from roost.core.http import (
    JSON,
    PageParams,
    page_params,
    params,
    parse_id,
)
from roost.deps import ReadSession, RuntimeDep, Viewer, bearer_token, optional, require
from roost.statuses.schemas import Status
from roost.timelines import service
from roost.timelines.page_cache import HOME_PATH, HomeWatch

router = APIRouter(tags=["timelines"])
Paging = Annotated[PageParams, Depends(page_params)]


class PublicFilters(BaseModel):
    local: bool = False
    remote: bool = False
    only_media: bool = False


class AccountFilters(BaseModel):
    exclude_replies: bool = False
    exclude_reblogs: bool = False
    only_media: bool = False
    pinned: bool = False
    tagged: str | None = None


@router.get(HOME_PATH, response_model=list[Status])
async def home(request: Request, runtime: RuntimeDep, paging: Paging) -> JSON:
    """Renders the page (a kept page still true was answered before routing, by
    ``KeptPages``) and keeps it."""

    async def render(watch: HomeWatch | None) -> JSON:
        viewer = await require("read:statuses")(request)
        return await service.render_home(runtime, request, viewer.person, paging, watch)

    if runtime.page_cache is None:
        return await render(None)
    return await runtime.page_cache.render_and_keep(
        bearer_token(request), request.url.query, render
    )


@router.get("/api/v1/timelines/public", response_model=list[Status])
async def public(
    request: Request,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    paging: Paging,
    filters: Annotated[PublicFilters, Depends(params(PublicFilters))],
) -> JSON:
    page = await service.read_public(
        session=session,
        runtime=runtime,
        viewer_id=viewer.account_id,
        page=paging,
        remote=filters.remote,
        only_media=filters.only_media,
    )
    return page.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/timelines/list/{list_id}", response_model=list[Status])
async def list_timeline(
    request: Request,
    list_id: str,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(require("read:lists"))],
    paging: Paging,
) -> JSON:
    assert viewer.account is not None
    page = await service.read_list_timeline(
        session=session,
        runtime=runtime,
        viewer=viewer.account,
        list_id=parse_id(list_id),
        page=paging,
    )
    return page.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/timelines/tag/{hashtag}", response_model=list[Status])
async def tag(
    request: Request,
    hashtag: str,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    paging: Paging,
) -> JSON:
    page = await service.read_tag(
        session=session, runtime=runtime, viewer_id=viewer.account_id, tag=hashtag, page=paging
    )
    return page.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/accounts/{account_id}/statuses", response_model=list[Status])
async def account_statuses(
    request: Request,
    account_id: str,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    paging: Paging,
    filters: Annotated[AccountFilters, Depends(params(AccountFilters))],
) -> JSON:
    page = await service.read_account_statuses(
        session=session,
        runtime=runtime,
        viewer_id=viewer.account_id,
        account_id=parse_id(account_id),
        page=paging,
        **filters.model_dump(),
    )
    return page.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/favourites", response_model=list[Status])
async def favourites(
    request: Request,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(require("read:favourites"))],
    paging: Paging,
) -> JSON:
    assert viewer.account is not None
    page = await service.read_favourites(
        session=session, runtime=runtime, viewer_id=viewer.account.id, page=paging
    )
    return page.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/bookmarks", response_model=list[Status])
async def bookmarks(
    request: Request,
    session: ReadSession,
    runtime: RuntimeDep,
    viewer: Annotated[Viewer, Depends(require("read:bookmarks"))],
    paging: Paging,
) -> JSON:
    assert viewer.account is not None
    page = await service.read_bookmarks(
        session=session, runtime=runtime, viewer_id=viewer.account.id, page=paging
    )
    return page.response(request, base_url=runtime.settings.base_url)
