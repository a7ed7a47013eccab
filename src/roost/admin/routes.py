"""HTTP for the admin API's accounts: the lists (v1 and v2), one account, and what a
moderator does to one (``admin/service.py``). Every route needs an ``admin:*:accounts``
scope and a role that may manage users (``deps.require_staff``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.accounts.roles import Permission
from roost.admin import listing, service
from roost.admin.schemas import (
    AccountsV1Params,
    AccountsV2Params,
    ActionForm,
    AdminAccount,
    AdminPageParams,
    admin_page_params,
)
from roost.core.http import JSON, json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require_staff

router = APIRouter()

Reader = Annotated[Viewer, Depends(require_staff("admin:read:accounts", Permission.MANAGE_USERS))]
Writer = Annotated[Viewer, Depends(require_staff("admin:write:accounts", Permission.MANAGE_USERS))]
AdminPage = Annotated[AdminPageParams, Depends(admin_page_params)]
ACCOUNT = "/api/v1/admin/accounts/{account_id}"


@router.get("/api/v1/admin/accounts", response_model=list[AdminAccount])
async def accounts_v1(
    request: Request,
    _viewer: Reader,
    query: Annotated[AccountsV1Params, Depends(params(AccountsV1Params))],
    page: AdminPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await listing.list_accounts_v1(
        session=session, runtime=runtime, params=query, page=page
    )
    return found.response(request, base_url=runtime.settings.base_url)


@router.get("/api/v2/admin/accounts", response_model=list[AdminAccount])
async def accounts_v2(
    request: Request,
    _viewer: Reader,
    query: Annotated[AccountsV2Params, Depends(params(AccountsV2Params))],
    page: AdminPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await listing.list_accounts_v2(
        session=session, runtime=runtime, params=query, page=page
    )
    return found.response(request, base_url=runtime.settings.base_url)


@router.get(ACCOUNT, response_model=AdminAccount)
async def show(account_id: str, _viewer: Reader, session: ReadSession, runtime: RuntimeDep) -> JSON:
    return json_response(
        await service.show_account(
            session=session, runtime=runtime, account_id=parse_id(account_id)
        )
    )


@router.delete(ACCOUNT, response_model=dict[str, Any])
async def delete_data(
    account_id: str,
    viewer: Annotated[
        Viewer, Depends(require_staff("admin:write:accounts", Permission.DELETE_USER_DATA))
    ],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    await service.delete_account_data(
        session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
    )
    return json_response({})


@router.post(ACCOUNT + "/action", response_model=dict[str, Any])
async def action(
    account_id: str,
    viewer: Writer,
    form: Annotated[ActionForm, Depends(params(ActionForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    await service.act_on_account(
        session=session,
        runtime=runtime,
        actor=viewer.person,
        account_id=parse_id(account_id),
        type=form.type,
        text=form.text,
        report_id=form.report_id,
        warning_preset_id=form.warning_preset_id,
    )
    return json_response({})


@router.post(ACCOUNT + "/approve", response_model=AdminAccount)
async def approve(
    account_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    """Let a pending sign-up in."""
    return json_response(
        await service.approve_account(
            session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
        )
    )


@router.post(ACCOUNT + "/reject", response_model=AdminAccount)
async def reject(
    account_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    """Turn a pending sign-up away (the account is deleted)."""
    return json_response(
        await service.reject_account(
            session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
        )
    )


@router.post(ACCOUNT + "/enable", response_model=AdminAccount)
async def enable(
    account_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    """Let a disabled account sign in again."""
    return json_response(
        await service.enable_account(
            session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
        )
    )


@router.post(ACCOUNT + "/unsilence", response_model=AdminAccount)
async def unsilence(
    account_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    """Lift a limit."""
    return json_response(
        await service.unsilence_account(
            session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
        )
    )


@router.post(ACCOUNT + "/unsuspend", response_model=AdminAccount)
async def unsuspend(
    account_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    """Lift a suspension."""
    return json_response(
        await service.unsuspend_account(
            session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
        )
    )


@router.post(ACCOUNT + "/unsensitive", response_model=AdminAccount)
async def unsensitive(
    account_id: str, viewer: Writer, session: WriteSession, runtime: RuntimeDep
) -> JSON:
    """Stop marking the account's media sensitive."""
    return json_response(
        await service.unsensitize_account(
            session=session, runtime=runtime, actor=viewer.person, account_id=parse_id(account_id)
        )
    )
