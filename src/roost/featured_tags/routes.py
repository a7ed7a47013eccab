"""HTTP for featured tags: your own (list, feature, unfeature, suggestions) and anyone's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from roost.core.errors import Unprocessable
from roost.core.http import JSON, json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, optional, require
from roost.featured_tags import service
from roost.featured_tags.schemas import FeaturedTag, FeatureParams, Tag

router = APIRouter()


@router.get("/api/v1/featured_tags", response_model=list[FeaturedTag])
async def my_featured_tags(
    viewer: Annotated[Viewer, Depends(require("read:accounts"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.featured_tags(
            session=session, account_id=viewer.person_id, base_url=runtime.settings.base_url
        )
    )


@router.post("/api/v1/featured_tags", response_model=FeaturedTag)
async def feature_tag(
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    body: Annotated[FeatureParams, Depends(params(FeatureParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account is not None
    if not body.name:
        raise Unprocessable("Validation failed: Tag is invalid")
    return json_response(
        await service.feature_tag(
            session=session,
            account=viewer.account,
            name=body.name,
            base_url=runtime.settings.base_url,
        )
    )


@router.delete("/api/v1/featured_tags/{featured_tag_id}", response_model=dict[str, Any])
async def unfeature_tag(
    featured_tag_id: str,
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    session: WriteSession,
) -> JSON:
    await service.unfeature_tag(
        session=session, account_id=viewer.person_id, featured_tag_id=parse_id(featured_tag_id)
    )
    return json_response({})


@router.get("/api/v1/featured_tags/suggestions", response_model=list[Tag])
async def suggested_tags(
    viewer: Annotated[Viewer, Depends(require("read:accounts"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.suggested_tags(
            session=session, account_id=viewer.person_id, base_url=runtime.settings.base_url
        )
    )


@router.get("/api/v1/accounts/{account_id}/featured_tags", response_model=list[FeaturedTag])
async def account_featured_tags(
    account_id: str,
    viewer: Annotated[Viewer, Depends(optional("read:accounts"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.featured_tags(
            session=session, account_id=parse_id(account_id), base_url=runtime.settings.base_url
        )
    )
