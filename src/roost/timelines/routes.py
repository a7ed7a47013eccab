from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from roost.core.http import (
    JSON,
    PageParams,
    json_response,
    link_header,
    page_params,
    params,
    parse_id,
)
from roost.core.runtime import Runtime
from roost.core.security import token_digest
from roost.deps import ReadSession, Viewer, bearer_token, get_runtime, optional, require
from roost.timelines import service
from roost.timelines.pages import Watch
from roost.timelines.service import Page

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


def _respond(request: Request, page: Page) -> JSON:
    link = link_header(request, next_max=page.next_max, prev_min=page.prev_min)
    return json_response(page.items, link=link)


@router.get("/api/v1/timelines/home")
async def home(request: Request) -> Response:
    """Served from the page cache (timelines/pages.py) when the same token asked the
    same and nothing shown has changed since: the token, the query (valid, or it
    would not have been kept) and the runtime are all a kept page needs."""
    runtime = get_runtime(request)
    pages, token = runtime.home_pages, bearer_token(request)
    if pages is None or token is None or request.query_params.get("max_id"):
        return await _render_home(request, runtime, await page_params(request))
    digest, query = token_digest(token), request.url.query
    kept = await pages.cached(digest, query)
    if kept is not None:
        body, link = kept
        return JSON(body, headers={"Link": link} if link else None)
    watch = await pages.watch(digest)
    response = await _render_home(request, runtime, await page_params(request), watch)
    await pages.keep(digest, query, watch, bytes(response.body), response.headers.get("link"))
    return response


async def _render_home(
    request: Request, runtime: Runtime, paging: PageParams, watch: Watch | None = None
) -> JSON:
    viewer = await require("read:statuses")(request)
    assert viewer.account is not None
    async with runtime.db.read() as session:
        page = await service.read_home(
            session=session, runtime=runtime, viewer=viewer.account, page=paging, watch=watch
        )
    return _respond(request, page)


@router.get("/api/v1/timelines/public")
async def public(
    request: Request,
    session: ReadSession,
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    paging: Paging,
    filters: Annotated[PublicFilters, Depends(params(PublicFilters))],
) -> JSON:
    page = await service.read_public(
        session=session,
        viewer_id=viewer.account_id,
        page=paging,
        remote=filters.remote or filters.only_media,
    )
    return _respond(request, page)


@router.get("/api/v1/timelines/tag/{hashtag}")
async def tag(
    request: Request,
    hashtag: str,
    session: ReadSession,
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    paging: Paging,
) -> JSON:
    page = await service.read_tag(
        session=session, viewer_id=viewer.account_id, tag=hashtag, page=paging
    )
    return _respond(request, page)


@router.get("/api/v1/accounts/{account_id}/statuses")
async def account_statuses(
    request: Request,
    account_id: str,
    session: ReadSession,
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    paging: Paging,
    filters: Annotated[AccountFilters, Depends(params(AccountFilters))],
) -> JSON:
    page = await service.read_account_statuses(
        session=session,
        viewer_id=viewer.account_id,
        account_id=parse_id(account_id),
        page=paging,
        **filters.model_dump(),
    )
    return _respond(request, page)


@router.get("/api/v1/favourites")
async def favourites(
    request: Request,
    session: ReadSession,
    viewer: Annotated[Viewer, Depends(require("read:favourites"))],
    paging: Paging,
) -> JSON:
    assert viewer.account is not None
    page = await service.read_favourites(session=session, viewer_id=viewer.account.id, page=paging)
    return _respond(request, page)
