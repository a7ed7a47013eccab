"""HTTP for search: ``/api/v2/search``, account search, and one hashtag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roost.accounts.render import render_account
from roost.accounts.schemas import Account
from roost.core.http import JSON, json_response, params
from roost.deps import ReadSession, RuntimeDep, Viewer, optional, require
from roost.search import service
from roost.search.schemas import AccountSearchParams, SearchParams, SearchResults

router = APIRouter()


@router.get("/api/v2/search", response_model=SearchResults)
async def search(
    viewer: Annotated[Viewer, Depends(optional("read:search"))],
    query: Annotated[SearchParams, Depends(params(SearchParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.search(
            session=session, runtime=runtime, viewer_id=viewer.account_id, query=query
        )
    )


@router.get("/api/v1/accounts/search", response_model=list[Account])
async def search_accounts(
    viewer: Annotated[Viewer, Depends(require("read:accounts"))],
    query: Annotated[AccountSearchParams, Depends(params(AccountSearchParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    accounts = await service.search_accounts(
        session=session,
        runtime=runtime,
        viewer_id=viewer.account_id,
        q=query.q,
        limit=query.clamped_limit(),
        offset=query.offset,
        following=query.following,
    )
    base_url = runtime.settings.base_url
    return json_response([render_account(a, base_url=base_url) for a in accounts])
