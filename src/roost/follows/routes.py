"""HTTP for the follow graph: follow and friends, follow requests, notes,
relationships, familiar followers, the paged lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from roost.accounts.schemas import Account as AccountEntity
from roost.core.http import JSON, PageParams, json_response, page_params, params
from roost.core.http import parse_id as parse_path_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, optional, require
from roost.follows import lists, requests, service
from roost.follows.familiar import familiar_followers
from roost.follows.relationships import relationships
from roost.follows.schemas import (
    FamiliarFollowers,
    FamiliarFollowersParams,
    FollowParams,
    MuteParams,
    NoteParams,
    Relationship,
    RelationshipParams,
)

router = APIRouter()


@router.post("/api/v1/accounts/{account_id}/follow", response_model=Relationship)
async def follow(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:follows"))],
    body: Annotated[FollowParams, Depends(params(FollowParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.follow(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
            reblogs=body.reblogs,
            notify=body.notify,
        )
    )


@router.post("/api/v1/accounts/{account_id}/unfollow", response_model=Relationship)
async def unfollow(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:follows"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.unfollow(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
        )
    )


@router.post("/api/v1/accounts/{account_id}/block", response_model=Relationship)
async def block(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:blocks"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.block(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
        )
    )


@router.post("/api/v1/accounts/{account_id}/unblock", response_model=Relationship)
async def unblock(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:blocks"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.unblock(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
        )
    )


@router.post("/api/v1/accounts/{account_id}/mute", response_model=Relationship)
async def mute(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:mutes"))],
    body: Annotated[MuteParams, Depends(params(MuteParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.mute(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
            notifications=body.notifications,
            duration=body.duration,
        )
    )


@router.post("/api/v1/accounts/{account_id}/unmute", response_model=Relationship)
async def unmute(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:mutes"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.unmute(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
        )
    )


@router.post("/api/v1/accounts/{account_id}/note", response_model=Relationship)
async def note(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    body: Annotated[NoteParams, Depends(params(NoteParams))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.set_note(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
            comment=body.comment,
        )
    )


# Pleroma's names for ringing the bell (Tusky calls them): the follow's ``notify``.
@router.post("/api/v1/pleroma/accounts/{account_id}/subscribe", response_model=Relationship)
async def subscribe(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:follows"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.set_notify(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
            notify=True,
        )
    )


@router.post("/api/v1/pleroma/accounts/{account_id}/unsubscribe", response_model=Relationship)
async def unsubscribe(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:follows"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await service.set_notify(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            target_id=parse_path_id(account_id),
            notify=False,
        )
    )


@router.get("/api/v1/accounts/familiar_followers", response_model=list[FamiliarFollowers])
async def get_familiar_followers(
    viewer: Annotated[Viewer, Depends(require("read:follows"))],
    query: Annotated[FamiliarFollowersParams, Depends(params(FamiliarFollowersParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await familiar_followers(
            session=session, runtime=runtime, viewer_id=viewer.person.id, account_ids=query.ids()
        )
    )


@router.get("/api/v1/accounts/relationships", response_model=list[Relationship])
async def get_relationships(
    viewer: Annotated[Viewer, Depends(require("read:follows"))],
    query: Annotated[RelationshipParams, Depends(params(RelationshipParams))],
    session: ReadSession,
) -> JSON:
    return json_response(
        await relationships(session, viewer_id=viewer.person.id, target_ids=query.ids())
    )


@router.get("/api/v1/accounts/{account_id}/followers", response_model=list[AccountEntity])
async def get_followers(
    request: Request,
    account_id: str,
    viewer: Annotated[Viewer, Depends(optional("read:accounts"))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    result = await lists.followers(
        session=session,
        runtime=runtime,
        viewer_id=viewer.account_id,
        account_id=parse_path_id(account_id),
        page=page,
    )
    return result.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/accounts/{account_id}/following", response_model=list[AccountEntity])
async def get_following(
    request: Request,
    account_id: str,
    viewer: Annotated[Viewer, Depends(optional("read:accounts"))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    result = await lists.following(
        session=session,
        runtime=runtime,
        viewer_id=viewer.account_id,
        account_id=parse_path_id(account_id),
        page=page,
    )
    return result.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/blocks", response_model=list[AccountEntity])
async def get_blocks(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("read:blocks"))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    result = await lists.blocks(
        session=session, runtime=runtime, viewer_id=viewer.person.id, page=page
    )
    return result.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/mutes", response_model=list[AccountEntity])
async def get_mutes(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("read:mutes"))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    result = await lists.mutes(
        session=session, runtime=runtime, viewer_id=viewer.person.id, page=page
    )
    return result.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v1/follow_requests", response_model=list[AccountEntity])
async def get_follow_requests(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("read:follows"))],
    page: Annotated[PageParams, Depends(page_params)],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    result = await requests.list_follow_requests(
        session=session, runtime=runtime, viewer_id=viewer.person.id, page=page
    )
    return result.response(request, base_url=runtime.settings.base_url)


@router.post("/api/v1/follow_requests/{account_id}/authorize", response_model=Relationship)
async def authorize_follow_request(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:follows"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await requests.authorize_follow_request(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            requester_id=parse_path_id(account_id),
        )
    )


@router.post("/api/v1/follow_requests/{account_id}/reject", response_model=Relationship)
async def reject_follow_request(
    account_id: str,
    viewer: Annotated[Viewer, Depends(require("write:follows"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    return json_response(
        await requests.reject_follow_request(
            session=session,
            runtime=runtime,
            actor=viewer.person,
            requester_id=parse_path_id(account_id),
        )
    )
