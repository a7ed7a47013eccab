"""OAuth2 and app registration, as Mastodon clients expect them."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.core.errors import NotFound, Unauthorized
from roost.core.http import JSON, json_response, params, raw_params
from roost.deps import (
    PrimarySession,
    RuntimeDep,
    Viewer,
    WriteSession,
    bearer_token,
    client_ip,
    get_db,
    load_viewer,
)
from roost.oauth import service
from roost.oauth.schemas import (
    AppForm,
    Application,
    RevokeForm,
    Token,
    TokenForm,
)
from roost.oauth.scopes import KNOWN, TOP_LEVEL

router = APIRouter()

Raw = dict[str, Any]
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def any_token(request: Request) -> Viewer:
    """Any valid token, whatever its scopes (an app token is enough)."""
    token = bearer_token(request)
    if not token:
        raise Unauthorized("The access token is invalid")
    return await load_viewer(get_db(request), token)


# ---- apps -------------------------------------------------------------------


@router.post("/api/v1/apps", response_model=Application)
async def create_app(
    request: Request,
    form: Annotated[AppForm, Depends(params(AppForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    app, secret = await service.create_app(
        session=session, runtime=runtime, ip=client_ip(request), form=form
    )
    return json_response(service.render_app(app, client_secret=secret))


@router.get("/api/v1/apps/verify_credentials", response_model=Application)
async def verify_app(
    viewer: Annotated[Viewer, Depends(any_token)], session: PrimarySession
) -> JSON:
    app = await service.app_by_id(session=session, app_id=viewer.app_id)
    if app is None:
        raise NotFound()
    return json_response(service.render_app(app))


# ---- tokens -------------------------------------------------------------------


def _basic_client(request: Request) -> tuple[str, str] | None:
    """client_secret_basic: ``Authorization: Basic base64(client_id:client_secret)``."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, client_secret = decoded.partition(":")
    return (client_id, client_secret) if sep else None


def _oauth_error(exc: service.OAuthError) -> JSON:
    return JSON(exc.body(), status_code=exc.status_code, headers=_NO_STORE)


@router.post("/oauth/token", response_model=Token)
async def token(
    request: Request,
    raw: Annotated[Raw, Depends(raw_params(TokenForm))],
    read_session: PrimarySession,
    write_session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    try:
        form = service.read_form(TokenForm, raw)
        basic = _basic_client(request)
        if basic and not form.client_id:
            form.client_id, form.client_secret = basic
        body = await service.issue_token(
            read_session=read_session,
            write_session=write_session,
            runtime=runtime,
            ip=client_ip(request),
            form=form,
        )
    except service.OAuthError as exc:
        return _oauth_error(exc)
    return JSON(body, headers=_NO_STORE)


@router.post("/oauth/revoke", response_model=dict[str, Any])
async def revoke(
    request: Request,
    raw: Annotated[Raw, Depends(raw_params(RevokeForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    try:
        form = service.read_form(RevokeForm, raw)
        basic = _basic_client(request)
        if basic and not form.client_id:
            form.client_id, form.client_secret = basic
        await service.revoke_token(session=session, runtime=runtime, form=form)
    except service.OAuthError as exc:
        return _oauth_error(exc)
    return json_response({})


@router.get("/.well-known/oauth-authorization-server")
async def server_metadata(runtime: RuntimeDep) -> JSON:
    """RFC 8414 metadata, served only over https. Mastodon.py refuses plain-http OAuth
    endpoints it learns from here (unless told ``allow_http``) but happily uses the
    default paths when this is a 404, so a development server on http answers 404."""
    if runtime.settings.scheme != "https":
        raise NotFound()
    base = runtime.settings.base_url
    return json_response(
        {
            "issuer": f"{base}/",
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "app_registration_endpoint": f"{base}/api/v1/apps",
            "scopes_supported": [*TOP_LEVEL, *sorted(KNOWN - set(TOP_LEVEL))],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(service.GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
        }
    )
