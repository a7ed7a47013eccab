"""HTTP for a person's blocked domains: the paged list of names, block, unblock."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.core.http import JSON, PageParams, json_response, page_params, params
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.domain_blocks import service
from roost.domain_blocks.schemas import DomainParams

router = APIRouter()


@router.get("/api/v1/domain_blocks", response_model=list[str])
async def domain_blocks(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("read:blocks"))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await service.blocked_domains(session=session, account_id=viewer.person_id, page=page)
    return found.response(request, base_url=runtime.settings.base_url)


@router.post("/api/v1/domain_blocks", response_model=dict[str, Any])
async def block_domain(
    viewer: Annotated[Viewer, Depends(require("write:blocks"))],
    body: Annotated[DomainParams, Depends(params(DomainParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    await service.block_domain(
        session=session,
        account_id=viewer.person_id,
        domain=body.domain,
        own=runtime.settings.domain,
    )
    return json_response({})


@router.delete("/api/v1/domain_blocks", response_model=dict[str, Any])
async def unblock_domain(
    viewer: Annotated[Viewer, Depends(require("write:blocks"))],
    body: Annotated[DomainParams, Depends(params(DomainParams))],
    session: WriteSession,
) -> JSON:
    await service.unblock_domain(session=session, account_id=viewer.person_id, domain=body.domain)
    return json_response({})
