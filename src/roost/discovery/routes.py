"""HTTP for discovery: trends (tags, posts, links) and suggestions of whom to follow."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.accounts.schemas import Account as AccountEntity
from roost.core.http import (
    JSON,
    OffsetParams,
    json_response,
    offset_link_header,
    params,
    parse_id,
)
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, optional, require
from roost.discovery import suggestions, trends
from roost.discovery.schemas import Suggestion, SuggestionParams, TrendingTag
from roost.statuses.schemas import Status as StatusEntity

if TYPE_CHECKING:
    pass

router = APIRouter()

# Mastodon's defaults and maxima for each list.
TAGS_LIMITS = {"default": 10, "maximum": 20}
STATUSES_LIMITS = {"default": 20, "maximum": 40}
LINKS_LIMITS = {"default": 10, "maximum": 20}


def _ranked(
    request: Request, runtime: Any, query: OffsetParams, limit: int, items: list[Any]
) -> JSON:
    link = offset_link_header(
        request,
        base_url=runtime.settings.base_url,
        offset=query.offset,
        limit=limit,
        count=len(items),
    )
    return json_response(items, link=link)


@router.get("/api/v1/trends", response_model=list[TrendingTag])
@router.get("/api/v1/trends/tags", response_model=list[TrendingTag])
async def trending_tags(
    request: Request,
    query: Annotated[OffsetParams, Depends(params(OffsetParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    limit = query.clamped_limit(**TAGS_LIMITS)
    tags = await trends.trending_tags(
        session=session, base_url=runtime.settings.base_url, limit=limit, offset=query.offset
    )
    return _ranked(request, runtime, query, limit, tags)


@router.get("/api/v1/trends/statuses", response_model=list[StatusEntity])
async def trending_statuses(
    request: Request,
    query: Annotated[OffsetParams, Depends(params(OffsetParams))],
    viewer: Annotated[Viewer, Depends(optional("read:statuses"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    limit = query.clamped_limit(**STATUSES_LIMITS)
    statuses = await trends.trending_statuses(
        session=session,
        runtime=runtime,
        viewer_id=viewer.account_id,
        limit=limit,
        offset=query.offset,
    )
    return _ranked(request, runtime, query, limit, statuses)


@router.get("/api/v1/trends/links", response_model=list[dict[str, Any]])
async def trending_links(
    request: Request,
    query: Annotated[OffsetParams, Depends(params(OffsetParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    limit = query.clamped_limit(**LINKS_LIMITS)
    links = await trends.trending_links(
        session=session, base_url=runtime.settings.base_url, limit=limit, offset=query.offset
    )
    return _ranked(request, runtime, query, limit, links)


async def _suggested(
    session: ReadSession, runtime: RuntimeDep, viewer: Viewer, query: SuggestionParams
) -> list[tuple[dict[str, Any], tuple[str, str]]]:
    assert viewer.account_id is not None  # require() checked
    chosen = await suggestions.suggest_accounts(
        session=session,
        viewer_id=viewer.account_id,
        limit=query.clamped_limit(),
    )
    rendered = await runtime.accounts.rendered(session, (a for a, _ in chosen))
    return [(rendered[a], source) for a, source in chosen if a in rendered]


@router.get("/api/v2/suggestions", response_model=list[Suggestion])
async def suggestions_v2(
    query: Annotated[SuggestionParams, Depends(params(SuggestionParams))],
    viewer: Annotated[Viewer, Depends(require("read"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await _suggested(session, runtime, viewer, query)
    return json_response([suggestions.render_suggestion(a, source) for a, source in found])


@router.get("/api/v1/suggestions", response_model=list[AccountEntity])
async def suggestions_v1(
    query: Annotated[SuggestionParams, Depends(params(SuggestionParams))],
    viewer: Annotated[Viewer, Depends(require("read"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await _suggested(session, runtime, viewer, query)
    return json_response([account for account, _ in found])


@router.delete("/api/v1/suggestions/{account_id}", response_model=dict[str, Any])
async def dismiss_suggestion(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("read"))],
    session: WriteSession,
) -> JSON:
    assert viewer.account_id is not None
    await suggestions.dismiss_suggestion(
        session=session, viewer_id=viewer.account_id, account_id=parse_id(account_id)
    )
    return json_response({})
