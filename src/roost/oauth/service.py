"""OAuth verbs: register an app, grant tokens (three grants), revoke a token (or every
token matching a condition: a password changed or reset, an app's access removed)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.credentials import check_login
from roost.accounts.models import Account
from roost.accounts.standing import refusal
from roost.core.db import as_utc, commit, utcnow
from roost.core.errors import RoostError, Unprocessable
from roost.core.ids import new_id
from roost.core.security import new_token, same_digest, token_digest
from roost.oauth import pkce
from roost.oauth.models import AccessToken, AuthorizationCode, OAuthApp
from roost.oauth.schemas import AppForm, RevokeForm, TokenForm
from roost.oauth.scopes import parse_scopes, unknown_scopes, within
from roost.oauth.tokens import grant_token, render_token
from roost.streaming.ending import end_streams

if TYPE_CHECKING:
    from roost.runtime import Runtime

M = TypeVar("M", bound=BaseModel)

OOB = "urn:ietf:wg:oauth:2.0:oob"
MAX_REDIRECT_URIS = 10
MAX_URI_LENGTH = 2000
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*$")
_FORBIDDEN_SCHEMES = {"javascript", "data", "vbscript", "file", "about", "blob"}
GRANT_TYPES = ("authorization_code", "password", "client_credentials")


class OAuthError(RoostError):
    """An error in RFC 6749's shape: ``{"error": code, "error_description": ...}``."""

    def __init__(self, error: str, description: str, *, status_code: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.status_code = status_code

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def read_form(model: type[M], raw: dict[str, Any]) -> M:
    """An OAuth request's parameters as ``model``; invalid ones are RFC 6749's
    ``invalid_request``."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        raise OAuthError("invalid_request", f"Invalid parameter: {field}") from exc


# ---- apps -------------------------------------------------------------------


def valid_redirect_uri(uri: str) -> bool:
    """The out-of-band URN, or an absolute URI without a fragment (custom schemes allowed)."""
    if uri == OOB:
        return True
    if len(uri) > MAX_URI_LENGTH or any(c.isspace() for c in uri):
        return False
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if not _SCHEME.match(parts.scheme) or scheme in _FORBIDDEN_SCHEMES or parts.fragment:
        return False
    if scheme in {"http", "https"}:
        return bool(parts.hostname)
    return bool(parts.netloc or parts.path)


def _split_uris(raw: str | list[str] | None) -> list[str]:
    items = raw if isinstance(raw, list) else (raw or "").splitlines()
    uris: list[str] = []
    for item in items:
        uri = item.strip()
        if uri and uri not in uris:
            uris.append(uri)
    return uris


def _scope_text(raw: str | list[str] | None) -> str | None:
    return " ".join(raw) if isinstance(raw, list) else raw


def _check_app_form(form: AppForm) -> tuple[str, list[str], list[str], str | None]:
    name = (form.client_name or "").strip()
    if not name:
        raise Unprocessable("Validation failed: Application name can't be blank")
    if len(name) > 100:
        raise Unprocessable(
            "Validation failed: Application name is too long (maximum is 100 characters)"
        )
    uris = _split_uris(form.redirect_uris)
    if not uris:
        raise Unprocessable("Validation failed: Redirect URI can't be blank")
    if len(uris) > MAX_REDIRECT_URIS:
        raise Unprocessable(
            f"Validation failed: Redirect URI: at most {MAX_REDIRECT_URIS} are allowed"
        )
    bad = [uri for uri in uris if not valid_redirect_uri(uri)]
    if bad:
        raise Unprocessable(f"Validation failed: Redirect URI must be an absolute URI: {bad[0]}")
    scopes = parse_scopes(_scope_text(form.scopes))
    unknown = unknown_scopes(scopes)
    if unknown:
        raise Unprocessable(f"Validation failed: Scopes: unknown scope {unknown[0]}")
    website = (form.website or "").strip() or None
    if website is not None:
        parts = urlsplit(website)
        if parts.scheme not in {"http", "https"} or not parts.netloc or len(website) > 2000:
            raise Unprocessable("Validation failed: Website must be an http or https URL")
    return name, uris, scopes, website


async def create_app(
    *, session: AsyncSession, runtime: Runtime, ip: str, form: AppForm
) -> tuple[OAuthApp, str]:
    """Register a client; returns it and its secret (shown this once, stored hashed)."""
    await runtime.limiter.hit("oauth_app", ip)
    name, uris, scopes, website = _check_app_form(form)
    secret = new_token()
    app = OAuthApp(
        id=new_id(),
        name=name,
        website=website,
        redirect_uris="\n".join(uris),
        scopes=" ".join(scopes),
        client_id=new_token(),
        client_secret_hash=token_digest(secret),
        created_at=utcnow(),
    )
    session.add(app)
    await commit(session)
    return app, secret


def render_app(app: OAuthApp, *, client_secret: str | None = None) -> dict[str, Any]:
    """The Mastodon Application entity; the credentials only right after registration."""
    rendered: dict[str, Any] = {
        "id": str(app.id),
        "name": app.name,
        "website": app.website,
        "scopes": app.scopes.split(),
        "redirect_uri": app.redirect_uris,
        "redirect_uris": app.redirect_uris.split("\n"),
        "vapid_key": "",
    }
    if client_secret is not None:
        rendered["client_id"] = app.client_id
        rendered["client_secret"] = client_secret
        rendered["client_secret_expires_at"] = 0
    return rendered


async def app_by_id(*, session: AsyncSession, app_id: int | None) -> OAuthApp | None:
    return await session.get(OAuthApp, app_id) if app_id is not None else None


async def authenticate_client(
    session: AsyncSession, client_id: str | None, client_secret: str | None
) -> OAuthApp:
    app = await session.scalar(select(OAuthApp).where(OAuthApp.client_id == (client_id or "")))
    if app is None or not client_secret or not same_digest(client_secret, app.client_secret_hash):
        raise OAuthError(
            "invalid_client",
            "Client authentication failed due to unknown client or wrong client secret.",
            status_code=401,
        )
    return app


# ---- tokens -----------------------------------------------------------------


def _requested_scopes(form: TokenForm, app: OAuthApp) -> list[str]:
    scopes = parse_scopes(_scope_text(form.scope))
    if unknown_scopes(scopes) or not within(scopes, app.scopes.split()):
        raise OAuthError(
            "invalid_scope",
            "The requested scope is invalid, unknown, or exceeds what the app registered.",
        )
    return scopes


async def issue_token(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    runtime: Runtime,
    ip: str,
    form: TokenForm,
) -> dict[str, Any]:
    """POST /oauth/token. Slow checks (passwords) run on the read session, so the
    write transaction only holds the lock for the insert."""
    if not form.grant_type:
        raise OAuthError("invalid_request", "The grant_type parameter is missing.")
    if form.grant_type not in GRANT_TYPES:
        raise OAuthError(
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )
    app = await authenticate_client(read_session, form.client_id, form.client_secret)
    if form.grant_type == "authorization_code":
        return await _exchange_code(session=write_session, app=app, form=form)
    scopes = _requested_scopes(form, app)
    account_id = None
    if form.grant_type == "password":
        account_id = await _password_account(
            session=read_session, runtime=runtime, ip=ip, form=form
        )
    token, row = grant_token(write_session, app_id=app.id, account_id=account_id, scopes=scopes)
    await commit(write_session)
    return render_token(token, row)


async def _password_account(
    *, session: AsyncSession, runtime: Runtime, ip: str, form: TokenForm
) -> int:
    if not form.username or not form.password:
        raise OAuthError("invalid_request", "The username and password parameters are required.")
    account = await check_login(
        session=session,
        limiter=runtime.limiter,
        ip=ip,
        login=form.username,
        password=form.password,
    )
    if account is None:
        raise OAuthError(
            "invalid_grant", "The provided authorization grant is invalid: wrong login or password."
        )
    refused = refusal(account)
    if refused is not None:
        raise OAuthError("access_denied", refused, status_code=403)
    return account.id


async def _exchange_code(
    *, session: AsyncSession, app: OAuthApp, form: TokenForm
) -> dict[str, Any]:
    if not form.code:
        raise OAuthError("invalid_request", "The code parameter is missing.")
    invalid = OAuthError(
        "invalid_grant",
        "The provided authorization grant is invalid, expired, revoked, does not match "
        "the redirection URI used in the authorization request, or was issued to another client.",
    )
    code = await session.scalar(
        select(AuthorizationCode).where(AuthorizationCode.code_hash == token_digest(form.code))
    )
    now = utcnow()
    if (
        code is None
        or code.app_id != app.id
        or code.used_at is not None
        or as_utc(code.expires_at) <= now
        or (form.redirect_uri or "") != code.redirect_uri
    ):
        raise invalid
    if code.code_challenge is not None:
        if not form.code_verifier:
            raise OAuthError("invalid_request", "The code_verifier parameter is required.")
        if not pkce.verify(
            verifier=form.code_verifier,
            challenge=code.code_challenge,
            method=code.code_challenge_method or "plain",
        ):
            raise OAuthError("invalid_grant", "The code_verifier does not match the challenge.")
    scopes = code.scopes.split()
    if form.scope is not None and not within(parse_scopes(_scope_text(form.scope)), scopes):
        raise OAuthError("invalid_scope", "The requested scope exceeds what was authorized.")
    account = await session.get(Account, code.account_id)
    if account is None or refusal(account) is not None:
        raise invalid
    # Single use even if two exchanges race: only one UPDATE finds the code unused.
    used = await session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == code.id, AuthorizationCode.used_at.is_(None))
        .values(used_at=now)
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        raise invalid
    token, row = grant_token(session, app_id=app.id, account_id=account.id, scopes=scopes)
    await commit(session)
    return render_token(token, row)


async def revoke_token(*, session: AsyncSession, runtime: Runtime, form: RevokeForm) -> None:
    """POST /oauth/revoke: the app's own token stops working, and the streams open
    with it end; unknown tokens are fine."""
    app = await authenticate_client(session, form.client_id, form.client_secret)
    if not form.token:
        raise OAuthError("invalid_request", "The token parameter is missing.")
    row = await session.scalar(
        select(AccessToken).where(AccessToken.token_hash == token_digest(form.token))
    )
    if row is None or row.revoked_at is not None:
        return  # RFC 7009: an unknown or already revoked token is not an error
    if row.app_id != app.id:
        raise OAuthError(
            "unauthorized_client", "You are not authorized to revoke this token", status_code=403
        )
    row.revoked_at = utcnow()
    runtime.versions.forget(session, "token", [row.token_hash])
    end_streams(session=session, runtime=runtime, token_ids=[row.id])
    await commit(session)
