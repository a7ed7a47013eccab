"""Sign-up, the signed-in person's profile, and finding accounts.

Only numeric ids match ``/api/v1/accounts/{account_id:int}``, so this router does
not shadow ``/api/v1/accounts/relationships`` or ``/search`` in routers after it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from roost.accounts import service
from roost.accounts.avatars import DESIGN, avatar_png, drawn, header_png, known_avatar
from roost.accounts.pictures import KINDS, MAX_BYTES, Kind
from roost.accounts.preferences import render_preferences
from roost.accounts.render import DEFAULT_HEADER_PATH, render_account
from roost.accounts.schemas import (
    Account,
    CredentialAccount,
    CredentialsForm,
    LookupParams,
    Preferences,
    RegistrationForm,
)
from roost.core.errors import NotFound
from roost.core.http import JSON, json_response, params, request_files
from roost.core.inputs import MAX_ID
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, client_ip, optional, require
from roost.oauth.schemas import Token

router = APIRouter()

# A generated picture's address changes whenever the picture could: cached for good.
_IMAGE_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


def _checked_id(account_id: int) -> int:
    if account_id > MAX_ID:
        raise NotFound()
    return account_id


@router.post("/api/v1/accounts", response_model=Token)
async def register(
    request: Request,
    viewer: Annotated[Viewer, Depends(require("write:accounts", user=False))],
    form: Annotated[RegistrationForm, Depends(params(RegistrationForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.token is not None  # require() guarantees a token
    token = await service.register(
        session=session, runtime=runtime, ip=client_ip(request), app_token=viewer.token, form=form
    )
    return json_response(token)


@router.get("/api/v1/accounts/verify_credentials", response_model=CredentialAccount)
async def verify_credentials(
    viewer: Annotated[Viewer, Depends(require("profile"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account is not None
    return json_response(
        await service.show_credentials(session=session, runtime=runtime, account=viewer.account)
    )


async def profile_pictures(request: Request) -> dict[Kind, bytes]:
    """``avatar`` and ``header`` files of a multipart body."""
    files = await request_files(request, KINDS, max_bytes=MAX_BYTES)
    return {kind: files[kind] for kind in KINDS if kind in files}


@router.patch("/api/v1/accounts/update_credentials", response_model=CredentialAccount)
async def update_credentials(
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    form: Annotated[CredentialsForm, Depends(params(CredentialsForm))],
    pictures: Annotated[dict[Kind, bytes], Depends(profile_pictures)],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account_id is not None
    return json_response(
        await service.update_credentials(
            session=session,
            runtime=runtime,
            account_id=viewer.account_id,
            form=form,
            pictures=pictures,
        )
    )


@router.delete("/api/v1/profile/avatar", response_model=CredentialAccount)
async def delete_avatar(
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account_id is not None
    return json_response(
        await service.remove_picture(
            session=session, runtime=runtime, account_id=viewer.account_id, kind="avatar"
        )
    )


@router.delete("/api/v1/profile/header", response_model=CredentialAccount)
async def delete_header(
    viewer: Annotated[Viewer, Depends(require("write:accounts"))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    assert viewer.account_id is not None
    return json_response(
        await service.remove_picture(
            session=session, runtime=runtime, account_id=viewer.account_id, kind="header"
        )
    )


@router.get("/api/v1/preferences", response_model=Preferences)
async def preferences(viewer: Annotated[Viewer, Depends(require("read:accounts"))]) -> JSON:
    assert viewer.account is not None
    return json_response(render_preferences(viewer.account))


@router.get("/api/v1/accounts/lookup", response_model=Account)
async def lookup(
    _viewer: Annotated[Viewer, Depends(optional("read:accounts"))],
    query: Annotated[LookupParams, Depends(params(LookupParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    account = await service.lookup_account(
        session=session, acct=query.acct, domain=runtime.settings.domain
    )
    return json_response(render_account(account, base_url=runtime.settings.base_url))


@router.get("/avatars/{design}/{colour:int}-{letter}.png")
async def generated_avatar(design: str, colour: int, letter: str) -> Response:
    """A generated avatar (accounts/avatars.py): its address names what it shows."""
    if design != DESIGN or not known_avatar(colour, letter):
        raise NotFound()
    png = await drawn(avatar_png, colour, letter)
    return Response(png, media_type="image/png", headers=_IMAGE_HEADERS)


@router.get(DEFAULT_HEADER_PATH)
async def default_header() -> Response:
    return Response(await drawn(header_png), media_type="image/png", headers=_IMAGE_HEADERS)


@router.get("/avatars/{account_id:int}.svg")
async def old_avatar(account_id: int, session: ReadSession) -> Response:
    """Where avatars were before they were PNG: renderings kept from then still name it."""
    path = await service.generated_avatar_address(
        session=session, account_id=_checked_id(account_id)
    )
    return RedirectResponse(path, status_code=301)


@router.get("/headers/default.svg")
async def old_header() -> Response:
    return RedirectResponse(DEFAULT_HEADER_PATH, status_code=301)


# Keep last: the most general account path.
@router.get("/api/v1/accounts/{account_id:int}", response_model=Account)
async def show(
    account_id: int,
    _viewer: Annotated[Viewer, Depends(optional("read:accounts"))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    account = await service.get_account(session=session, account_id=_checked_id(account_id))
    return json_response(render_account(account, base_url=runtime.settings.base_url))
