"""OAuth2 and app registration, as Mastodon clients expect them."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from roost.core.errors import Forbidden, NotFound, RateLimited, RoostError, Unauthorized
from roost.core.http import JSON, json_response, params, raw_params
from roost.deps import (
    ReadSession,
    RuntimeDep,
    Viewer,
    WriteSession,
    bearer_token,
    get_db,
    load_viewer,
)
from roost.oauth import authorize, csrf, pages, service
from roost.oauth.schemas import (
    AppForm,
    Application,
    AuthorizeForm,
    AuthorizeParams,
    RevokeForm,
    Token,
    TokenForm,
)
from roost.oauth.scopes import KNOWN, TOP_LEVEL
from roost.web import csrf as web_csrf
from roost.web.visitor import Member, Visitor, get_visitor

router = APIRouter()

Raw = dict[str, Any]
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


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
async def verify_app(viewer: Annotated[Viewer, Depends(any_token)], session: ReadSession) -> JSON:
    app = await service.app_by_id(session=session, app_id=viewer.app_id)
    if app is None:
        raise NotFound()
    return json_response(service.render_app(app))


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], raw: dict[str, Any]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise service.OAuthError("invalid_request", f"Invalid parameter: {field}") from exc


# ---- the authorize page -------------------------------------------------------


def _wants_login_form(raw: dict[str, Any]) -> bool:
    """Mastodon's ``force_login``: ask for a password even with a signed-in browser."""
    return str(raw.get("force_login", "")).strip().lower() in {"1", "true", "on", "yes"}


@router.get("/oauth/authorize", response_class=HTMLResponse)
async def authorize_page(
    request: Request,
    raw: Annotated[Raw, Depends(raw_params(AuthorizeParams))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    visitor = await get_visitor(request)
    try:
        params = _parse(AuthorizeParams, raw)
        checked = await authorize.check_request(session=session, params=params)
    except RoostError as exc:
        return _refused(request, visitor, exc)
    return _form(
        request,
        visitor,
        checked,
        secret=runtime.settings.resolved_secret_key(),
        force_login=_wants_login_form(raw),
    )


@router.post("/oauth/authorize", response_class=HTMLResponse)
async def authorize_decision(
    request: Request,
    raw: Annotated[Raw, Depends(raw_params(AuthorizeForm))],
    read_session: ReadSession,
    write_session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    secret = runtime.settings.resolved_secret_key()
    visitor = await get_visitor(request)
    try:
        form = _parse(AuthorizeForm, raw)
        if not csrf.valid(secret, form.client_id or "", form.csrf_token):
            raise Forbidden(
                "This form expired or did not come from this server. Go back and try again."
            )
        checked = await authorize.check_request(session=read_session, params=form)
    except RoostError as exc:
        return _refused(request, visitor, exc)
    if form.decision == "deny":
        return _denied(request, visitor, checked)
    if form.decision != "approve":
        return pages.message(
            request, visitor, "Something went wrong", "Choose Approve or Deny.", status_code=400
        )
    # The form of a signed-in browser carries its session's token instead of a password.
    as_member = "session_token" in raw
    try:
        if as_member:
            session_token = raw.get("session_token")
            if not isinstance(visitor, Member) or not web_csrf.matches(
                visitor.csrf_token, session_token if isinstance(session_token, str) else None
            ):
                raise Forbidden(
                    "You were signed out, or this form came from another browser. "
                    "Sign in and try again."
                )
            code = await authorize.grant_code(
                write_session=write_session, request=checked, account=visitor.account
            )
        else:
            code = await authorize.approve(
                read_session=read_session,
                write_session=write_session,
                runtime=runtime,
                ip=client_ip(request),
                request=checked,
                login=form.email or "",
                password=form.password or "",
            )
    except (Unauthorized, Forbidden, RateLimited) as exc:
        page = _form(
            request,
            visitor,
            checked,
            secret=secret,
            error=exc.message,
            email=form.email,
            status=exc.status_code,
            force_login=not as_member,
        )
        page.headers.update(exc.headers)  # a 429's Retry-After
        return page
    if checked.out_of_band:
        return pages.render(
            request,
            visitor,
            "code.html",
            title="Authorization code",
            app_name=checked.app.name,
            code=code,
        )
    target = authorize.redirect_target(checked.redirect_uri, {"code": code, "state": checked.state})
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})


def _form(
    request: Request,
    visitor: Visitor,
    checked: authorize.AuthorizationRequest,
    *,
    secret: str,
    error: str | None = None,
    email: str | None = None,
    status: int = 200,
    force_login: bool = False,
) -> Response:
    return pages.render(
        request,
        visitor,
        "authorize.html",
        status_code=status,
        title=f"Authorize {checked.app.name}",
        app_name=checked.app.name,
        website=checked.app.website,
        scopes=checked.scopes,
        hidden=checked.hidden_fields(),
        oauth_csrf_token=csrf.issue(secret, checked.app.client_id),
        email=email or "",
        error=error,
        force_login=force_login,
        # This page again (GET), for "log in first" and "use another account".
        return_to="/oauth/authorize?" + urlencode(checked.hidden_fields()),
    )


def _refused(request: Request, visitor: Visitor, exc: RoostError) -> Response:
    """Our own error page: a bad request is never sent back to the app's redirect URI."""
    message = exc.description if isinstance(exc, service.OAuthError) else exc.message
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return pages.message(
        request, visitor, "This authorization request is invalid", message, status_code=status
    )


def _denied(
    request: Request, visitor: Visitor, checked: authorize.AuthorizationRequest
) -> Response:
    if checked.out_of_band:
        return pages.message(
            request,
            visitor,
            "Access denied",
            f"You denied {checked.app.name} access to your account. You can close this page.",
            status_code=200,
        )
    target = authorize.redirect_target(
        checked.redirect_uri,
        {
            "error": "access_denied",
            "error_description": "The resource owner denied the request.",
            "state": checked.state,
        },
    )
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})


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
    read_session: ReadSession,
    write_session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    try:
        form = _parse(TokenForm, raw)
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
    request: Request, raw: Annotated[Raw, Depends(raw_params(RevokeForm))], session: WriteSession
) -> JSON:
    try:
        form = _parse(RevokeForm, raw)
        basic = _basic_client(request)
        if basic and not form.client_id:
            form.client_id, form.client_secret = basic
        await service.revoke_token(session=session, form=form)
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
