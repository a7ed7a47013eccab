"""HTTP for filters: /api/v2/filters (groups, keywords, statuses) and /api/v1/filters
(one filter per keyword), over the same rows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roost.core.http import JSON, json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.filters import service, v1
from roost.filters.schemas import (
    FilterEntity,
    FilterKeywordEntity,
    FilterParams,
    FilterStatusEntity,
    FilterV1Entity,
    FilterV1Params,
    KeywordParams,
    StatusParams,
)

router = APIRouter(tags=["filters"])

Reader = Annotated[Viewer, Depends(require("read:filters"))]
Writer = Annotated[Viewer, Depends(require("write:filters"))]
Filters = Annotated[FilterParams, Depends(params(FilterParams))]
FiltersV1 = Annotated[FilterV1Params, Depends(params(FilterV1Params))]
Keyword = Annotated[KeywordParams, Depends(params(KeywordParams))]


def _keywords(body: FilterParams) -> list[service.KeywordChange]:
    return [
        service.KeywordChange(
            keyword=k.keyword, whole_word=k.whole_word, id=k.id, destroy=k.destroy
        )
        for k in body.keywords_attributes
    ]


# ---- v2: keywords and statuses first (their paths would read as a filter's id) ----


@router.get("/api/v2/filters/keywords/{keyword_id}", response_model=FilterKeywordEntity)
async def get_keyword(viewer: Reader, keyword_id: str, session: ReadSession) -> JSON:
    return json_response(
        await service.get_keyword(
            session=session, account_id=viewer.person_id, keyword_id=parse_id(keyword_id)
        )
    )


@router.put("/api/v2/filters/keywords/{keyword_id}", response_model=FilterKeywordEntity)
async def update_keyword(
    viewer: Writer, keyword_id: str, body: Keyword, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await service.update_keyword(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            keyword_id=parse_id(keyword_id),
            keyword=body.keyword,
            whole_word=body.whole_word,
        )
    )


@router.delete("/api/v2/filters/keywords/{keyword_id}")
async def delete_keyword(
    viewer: Writer, keyword_id: str, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    await service.delete_keyword(
        session=session,
        runtime=runtime,
        account_id=viewer.person_id,
        keyword_id=parse_id(keyword_id),
    )
    return json_response({})


@router.get("/api/v2/filters/statuses/{filter_status_id}", response_model=FilterStatusEntity)
async def get_filter_status(viewer: Reader, filter_status_id: str, session: ReadSession) -> JSON:
    return json_response(
        await service.get_filter_status(
            session=session,
            account_id=viewer.person_id,
            filter_status_id=parse_id(filter_status_id),
        )
    )


@router.delete("/api/v2/filters/statuses/{filter_status_id}", response_model=FilterStatusEntity)
async def remove_filter_status(
    viewer: Writer, filter_status_id: str, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await service.remove_filter_status(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            filter_status_id=parse_id(filter_status_id),
        )
    )


@router.get("/api/v2/filters/{filter_id}/keywords", response_model=list[FilterKeywordEntity])
async def list_keywords(viewer: Reader, filter_id: str, session: ReadSession) -> JSON:
    return json_response(
        await service.list_keywords(
            session=session, account_id=viewer.person_id, filter_id=parse_id(filter_id)
        )
    )


@router.post("/api/v2/filters/{filter_id}/keywords", response_model=FilterKeywordEntity)
async def add_keyword(
    viewer: Writer, filter_id: str, body: Keyword, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await service.add_keyword(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            filter_id=parse_id(filter_id),
            keyword=body.keyword,
            whole_word=body.whole_word,
        )
    )


@router.get("/api/v2/filters/{filter_id}/statuses", response_model=list[FilterStatusEntity])
async def list_filter_statuses(viewer: Reader, filter_id: str, session: ReadSession) -> JSON:
    return json_response(
        await service.list_filter_statuses(
            session=session, account_id=viewer.person_id, filter_id=parse_id(filter_id)
        )
    )


@router.post("/api/v2/filters/{filter_id}/statuses", response_model=FilterStatusEntity)
async def add_filter_status(
    viewer: Writer,
    filter_id: str,
    body: Annotated[StatusParams, Depends(params(StatusParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.add_filter_status(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            filter_id=parse_id(filter_id),
            status_id=body.status_id,
        )
    )


# ---- v2: filter groups ----


@router.get("/api/v2/filters", response_model=list[FilterEntity])
async def list_filters(viewer: Reader, session: ReadSession) -> JSON:
    return json_response(await service.list_filters(session=session, account_id=viewer.person_id))


@router.post("/api/v2/filters", response_model=FilterEntity)
async def create_filter(
    viewer: Writer, body: Filters, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await service.create_filter(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            title=body.title,
            context=body.context,
            action=body.filter_action,
            expires_in=body.expires_in,
            keywords=_keywords(body),
        )
    )


@router.get("/api/v2/filters/{filter_id}", response_model=FilterEntity)
async def get_filter(viewer: Reader, filter_id: str, session: ReadSession) -> JSON:
    return json_response(
        await service.get_filter(
            session=session, account_id=viewer.person_id, filter_id=parse_id(filter_id)
        )
    )


@router.put("/api/v2/filters/{filter_id}", response_model=FilterEntity)
async def update_filter(
    viewer: Writer, filter_id: str, body: Filters, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await service.update_filter(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            filter_id=parse_id(filter_id),
            title=body.title,
            context=body.context,
            action=body.filter_action,
            expires_in=body.expires_in if "expires_in" in body.model_fields_set else service.KEEP,
            keywords=_keywords(body),
        )
    )


@router.delete("/api/v2/filters/{filter_id}")
async def delete_filter(
    viewer: Writer, filter_id: str, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    await service.delete_filter(
        session=session, runtime=runtime, account_id=viewer.person_id, filter_id=parse_id(filter_id)
    )
    return json_response({})


# ---- v1 ----


@router.get("/api/v1/filters", response_model=list[FilterV1Entity])
async def list_v1(viewer: Reader, session: ReadSession) -> JSON:
    return json_response(await v1.list_v1(session=session, account_id=viewer.person_id))


@router.post("/api/v1/filters", response_model=FilterV1Entity)
async def create_v1(
    viewer: Writer, body: FiltersV1, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await v1.create_v1(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            phrase=body.phrase,
            context=body.context,
            irreversible=bool(body.irreversible),
            whole_word=True if body.whole_word is None else body.whole_word,
            expires_in=body.expires_in,
        )
    )


@router.get("/api/v1/filters/{keyword_id}", response_model=FilterV1Entity)
async def get_v1(viewer: Reader, keyword_id: str, session: ReadSession) -> JSON:
    return json_response(
        await v1.get_v1(
            session=session, account_id=viewer.person_id, keyword_id=parse_id(keyword_id)
        )
    )


@router.put("/api/v1/filters/{keyword_id}", response_model=FilterV1Entity)
async def update_v1(
    viewer: Writer, keyword_id: str, body: FiltersV1, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    return json_response(
        await v1.update_v1(
            session=session,
            runtime=runtime,
            account_id=viewer.person_id,
            keyword_id=parse_id(keyword_id),
            phrase=body.phrase,
            context=body.context,
            irreversible=body.irreversible,
            whole_word=body.whole_word,
            expires_in=body.expires_in if "expires_in" in body.model_fields_set else service.KEEP,
        )
    )


@router.delete("/api/v1/filters/{keyword_id}")
async def delete_v1(
    viewer: Writer, keyword_id: str, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    await v1.delete_v1(
        session=session,
        runtime=runtime,
        account_id=viewer.person_id,
        keyword_id=parse_id(keyword_id),
    )
    return json_response({})
