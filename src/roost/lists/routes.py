"""HTTP for lists: CRUD, members, and the lists holding an account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from roost.accounts.schemas import Account as AccountEntity
from roost.core.http import JSON, PageParams, json_response, page_params, params, parse_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require
from roost.lists import service
from roost.lists.schemas import CreateList, ListEntity, ListMembers, UpdateList

router = APIRouter(tags=["lists"])
Reader = Annotated[Viewer, Depends(require("read:lists"))]
Writer = Annotated[Viewer, Depends(require("write:lists"))]


@router.get("/api/v1/lists", response_model=list[ListEntity])
async def lists(viewer: Reader, session: ReadSession) -> JSON:
    return json_response(await service.read_lists(session=session, owner_id=viewer.person_id))


@router.post("/api/v1/lists", response_model=ListEntity)
async def create(
    viewer: Writer,
    body: Annotated[CreateList, Depends(params(CreateList))],
    session: WriteSession,
) -> JSON:
    return json_response(
        await service.create_list(
            session=session,
            owner_id=viewer.person_id,
            title=body.title,
            replies_policy=body.replies_policy,
            exclusive=body.exclusive,
        )
    )


@router.get("/api/v1/lists/{list_id}", response_model=ListEntity)
async def show(list_id: str, viewer: Reader, session: ReadSession) -> JSON:
    return json_response(
        await service.read_list(
            session=session, owner_id=viewer.person_id, list_id=parse_id(list_id)
        )
    )


@router.put("/api/v1/lists/{list_id}", response_model=ListEntity)
async def update(
    list_id: str,
    viewer: Writer,
    body: Annotated[UpdateList, Depends(params(UpdateList))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.update_list(
            session=session,
            runtime=runtime,
            owner_id=viewer.person_id,
            list_id=parse_id(list_id),
            title=body.title,
            replies_policy=body.replies_policy,
            exclusive=body.exclusive,
        )
    )


@router.delete("/api/v1/lists/{list_id}")
async def delete(list_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep) -> JSON:
    await service.delete_list(
        session=session, runtime=runtime, owner_id=viewer.person_id, list_id=parse_id(list_id)
    )
    return json_response({})


@router.get("/api/v1/lists/{list_id}/accounts", response_model=list[AccountEntity])
async def members(
    request: Request,
    list_id: str,
    viewer: Reader,
    session: ReadSession,
    runtime: RuntimeDep,
    paging: Annotated[PageParams, Depends(page_params)],
) -> JSON:
    page = await service.read_members(
        session=session,
        runtime=runtime,
        owner_id=viewer.person_id,
        list_id=parse_id(list_id),
        page=paging,
    )
    return page.response(request, base_url=runtime.settings.base_url)


@router.post("/api/v1/lists/{list_id}/accounts")
async def add_members(
    list_id: str,
    viewer: Writer,
    body: Annotated[ListMembers, Depends(params(ListMembers))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    await service.add_members(
        session=session,
        runtime=runtime,
        owner_id=viewer.person_id,
        list_id=parse_id(list_id),
        account_ids=body.account_ids or [],
    )
    return json_response({})


@router.delete("/api/v1/lists/{list_id}/accounts")
async def remove_members(
    list_id: str,
    viewer: Writer,
    body: Annotated[ListMembers, Depends(params(ListMembers))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    await service.remove_members(
        session=session,
        runtime=runtime,
        owner_id=viewer.person_id,
        list_id=parse_id(list_id),
        account_ids=body.account_ids or [],
    )
    return json_response({})


@router.get("/api/v1/accounts/{account_id}/lists", response_model=list[ListEntity])
async def lists_with_account(account_id: str, viewer: Reader, session: ReadSession) -> JSON:
    return json_response(
        await service.lists_with_account(
            session=session, owner_id=viewer.person_id, account_id=parse_id(account_id)
        )
    )
