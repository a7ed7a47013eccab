"""The authorization-code grant's first half: check the request, ask the person,
and hand the app a short-lived, single-use code (stored hashed, with PKCE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.credentials import check_login
from roost.accounts.models import Account
from roost.accounts.standing import refusal, sentence
from roost.core.db import commit, utcnow
from roost.core.errors import BadRequest, Forbidden, RateLimited, RoostError, Unauthorized
from roost.core.ids import new_id
from roost.core.security import new_token, token_digest
from roost.oauth import pkce
from roost.oauth.models import AuthorizationCode, OAuthApp
from roost.oauth.schemas import AuthorizeForm, AuthorizeParams
from roost.oauth.scopes import parse_scopes, unknown_scopes, within
from roost.oauth.service import OOB

if TYPE_CHECKING:
    from roost.runtime import Runtime

CODE_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class AuthorizationRequest:
    """A request that passed every check: safe to show, and to redirect back to."""

    app: OAuthApp
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None

    @property
    def out_of_band(self) -> bool:
        return self.redirect_uri == OOB

    def hidden_fields(self) -> dict[str, str]:
        """What the form posts back so the request can be checked again."""
        fields = {
            "client_id": self.app.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
        }
        return {key: value for key, value in fields.items() if value is not None}


async def check_request(*, session: AsyncSession, params: AuthorizeParams) -> AuthorizationRequest:
    """Every check that does not need the person. Failures are shown on our own page:
    we never redirect to a URI the app did not register."""
    app = await session.scalar(
        select(OAuthApp).where(OAuthApp.client_id == (params.client_id or ""))
    )
    if app is None:
        raise BadRequest("This application is unknown: the client_id is missing or invalid.")
    registered = app.redirect_uris.split("\n")
    redirect_uri = params.redirect_uri
    if not redirect_uri and len(registered) == 1:
        redirect_uri = registered[0]
    if not redirect_uri or redirect_uri not in registered:
        raise BadRequest("The redirect URI is not one this application registered.")
    if params.response_type != "code":
        raise BadRequest('Only response_type "code" is supported.')
    scopes = parse_scopes(params.scope)
    if unknown_scopes(scopes) or not within(scopes, app.scopes.split()):
        raise BadRequest(
            "The requested scopes are unknown or exceed what this application registered."
        )
    challenge, method = params.code_challenge or None, None
    if challenge is not None:
        method = params.code_challenge_method or "plain"
        if method not in pkce.METHODS or not pkce.well_formed(challenge):
            raise BadRequest("The PKCE code challenge or its method is invalid.")
    elif params.code_challenge_method:
        raise BadRequest("A code_challenge_method was sent without a code_challenge.")
    return AuthorizationRequest(
        app=app,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=params.state or None,
        code_challenge=challenge,
        code_challenge_method=method,
    )


async def approve(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    runtime: Runtime,
    ip: str,
    request: AuthorizationRequest,
    login: str,
    password: str,
) -> str:
    """The person signed in and approved: returns the authorization code."""
    account: Account | None = await check_login(
        session=read_session, limiter=runtime.limiter, ip=ip, login=login, password=password
    )
    if account is None:
        raise Unauthorized("That email and password do not match an account.")
    return await grant_code(write_session=write_session, request=request, account=account)


async def grant_code(
    *, write_session: AsyncSession, request: AuthorizationRequest, account: Account
) -> str:
    """The code for an approval by ``account`` (signed in with a password just now, or
    with the web page's session): single use, stored hashed, short-lived."""
    refused = refusal(account)
    if refused is not None:
        raise Forbidden(sentence(refused))
    code = new_token()
    write_session.add(
        AuthorizationCode(
            id=new_id(),
            code_hash=token_digest(code),
            app_id=request.app.id,
            account_id=account.id,
            scopes=" ".join(request.scopes),
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            expires_at=utcnow() + CODE_LIFETIME,
        )
    )
    await commit(write_session)
    return code


def redirect_target(redirect_uri: str, params: dict[str, str | None]) -> str:
    """``redirect_uri`` with ``params`` added to whatever query it already has."""
    parts = urlsplit(redirect_uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass(frozen=True)
class Decision:
    """What the authorize form's answer comes to: a ``code`` to show (out of band), a
    ``redirect`` back to the app, or the form again with an ``error``."""

    code: str | None = None
    redirect: str | None = None
    error: RoostError | None = None
    denied: bool = False


async def decide(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    runtime: Runtime,
    ip: str,
    request: AuthorizationRequest,
    form: AuthorizeForm,
    member: Account | None,
) -> Decision:
    """The person's answer on the authorize page: deny, or approve as the signed-in
    ``member`` (the web page vouched for the session) or with the form's password."""
    if form.decision == "deny":
        denial = {
            "error": "access_denied",
            "error_description": "The resource owner denied the request.",
            "state": request.state,
        }
        redirect = None if request.out_of_band else redirect_target(request.redirect_uri, denial)
        return Decision(redirect=redirect, denied=True)
    try:
        if member is not None:
            code = await grant_code(write_session=write_session, request=request, account=member)
        else:
            code = await approve(
                read_session=read_session,
                write_session=write_session,
                runtime=runtime,
                ip=ip,
                request=request,
                login=form.email or "",
                password=form.password or "",
            )
    except (Unauthorized, Forbidden, RateLimited) as exc:
        return Decision(error=exc)
    if request.out_of_band:
        return Decision(code=code)
    return Decision(
        redirect=redirect_target(request.redirect_uri, {"code": code, "state": request.state})
    )
