"""Search: people, posts and hashtags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.http import params
from roost.deps import ReadSession, RuntimeDep
from roost.search import service as search_service
from roost.search.schemas import SearchParams
from roost.web.forms import SearchQuery
from roost.web.pages import WebRoute, render_page
from roost.web.visitor import VisitorDep

router = APIRouter(route_class=WebRoute)
RESULTS = 20


@router.get("/search")
async def search(
    request: Request,
    visitor: VisitorDep,
    query: Annotated[SearchQuery, Depends(params(SearchQuery))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    q = query.q.strip()[:200]
    results = None
    if q:
        results = await search_service.search(
            session=session,
            runtime=runtime,
            viewer_id=visitor.account_id,
            query=SearchParams(q=q, limit=RESULTS),
        )
    return await render_page(
        request,
        "search.html",
        session=session,
        title=f"Search: {q}" if q else "Search",
        q=q,
        results=results,
    )
