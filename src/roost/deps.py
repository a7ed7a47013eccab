"""Route dependencies: database sessions and the authenticated viewer.

Routes declare what they need in their signature::

    async def home(viewer: Annotated[Viewer, Depends(require("read:statuses"))], ...)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.roles import Permission, role_of
from roost.accounts.standing import PENDING, UNCONFIRMED, refusal
from roost.core.db import Database
from roost.core.errors import Forbidden, Unauthorized, Unprocessable
from roost.core.security import token_digest
from roost.oauth.models import AccessToken
from roost.oauth.scopes import covers

if TYPE_CHECKING:
    from roost.runtime import Runtime


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_db(request).read(may_lag=True) as session:
        yield session


async def _primary_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_db(request).read() as session:
        yield session


async def _write_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_db(request).write() as session:
        yield session


# Dependencies are ``async def``: FastAPI runs a plain ``def`` one in a thread pool, a
# thread handoff on every request.
async def _db(request: Request) -> Database:
    return get_db(request)


async def _runtime(request: Request) -> Runtime:
    return get_runtime(request)


DB = Annotated[Database, Depends(_db)]
RuntimeDep = Annotated["Runtime", Depends(_runtime)]
# Reads that may lag behind other people's writes (a read replica past the reader's own
# last write: core/replicas.py), and reads that must not: credentials, OAuth clients.
ReadSession = Annotated[AsyncSession, Depends(_read_session)]
PrimarySession = Annotated[AsyncSession, Depends(_primary_session)]
WriteSession = Annotated[AsyncSession, Depends(_write_session)]


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a person (``account``), an app acting alone, or nobody."""

    account: Account | None
    token: AccessToken | None
    scopes: frozenset[str]

    @property
    def account_id(self) -> int | None:
        return self.account.id if self.account else None

    @property
    def person(self) -> Account:
        """The acting person, where ``require()`` has made sure a person is acting."""
        assert self.account is not None, "a route that needs a person must require() one"
        return self.account

    @property
    def person_id(self) -> int:
        return self.person.id

    @property
    def app_id(self) -> int | None:
        return self.token.app_id if self.token else None


ANONYMOUS = Viewer(account=None, token=None, scopes=frozenset())


def client_ip(request: Request) -> str:
    """The address a request came from (the proxy's ``X-Forwarded-For`` when uvicorn
    trusts it), what per-IP limits count by."""
    return request.client.host if request.client else "unknown"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("access_token") or None


# Built once: every authenticated request runs it.
TOKEN_LOOKUP = (
    select(AccessToken, Account)
    .outerjoin(Account, Account.id == AccessToken.account_id)
    .where(AccessToken.token_hash == bindparam("digest"), AccessToken.revoked_at.is_(None))
)


async def load_viewer(db: Database, token: str, *, any_standing: bool = False) -> Viewer:
    """The viewer a token stands for; a person ``accounts/standing.refusal`` refuses is
    refused, except that ``any_standing`` lets one awaiting confirmation or approval in
    (to ask for the confirmation mail again)."""
    return await load_viewer_by_digest(db, token_digest(token), any_standing=any_standing)


async def load_viewer_by_digest(db: Database, digest: str, *, any_standing: bool = False) -> Viewer:
    """``load_viewer`` for the token of this digest (what a kept page knows of its
    token). The token is read on the primary: it may be a second old."""
    async with db.read() as session:
        row = (await session.execute(TOKEN_LOOKUP, {"digest": digest})).first()
    if row is None:
        raise Unauthorized("The access token is invalid")
    access, account = row
    # Read with the token on every request: a suspension or a disabling stops it at once.
    refused = refusal(account) if account is not None else None
    if refused is not None and not (any_standing and refused in (UNCONFIRMED, PENDING)):
        raise Forbidden(refused)
    await db.declare_reader(account.id if account is not None else None)
    return Viewer(account=account, token=access, scopes=frozenset(access.scopes.split()))


async def _viewer(request: Request) -> Viewer:
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    token = bearer_token(request)
    if token:
        viewer = await load_viewer(get_db(request), token)
    else:
        viewer = ANONYMOUS
        await get_db(request).declare_reader(None)
    request.state.viewer = viewer
    return viewer


def require(scope: str, *, user: bool = True) -> Callable[[Request], Awaitable[Viewer]]:
    """A valid token with ``scope``; with ``user`` it must act for a person."""

    async def dependency(request: Request) -> Viewer:
        return allowed(await _viewer(request), scope, user=user)

    return dependency


def allowed(viewer: Viewer, scope: str, *, user: bool = True) -> Viewer:
    """The viewer, if its token covers ``scope`` (and, with ``user``, acts for a
    person); else the error ``require`` answers."""
    if viewer.token is None:
        raise Unauthorized("The access token is invalid")
    if not covers(viewer.scopes, scope):
        raise Forbidden("This action is outside the authorized scopes")
    if user and viewer.account is None:
        raise Unprocessable("This method requires an authenticated user")
    return viewer


def require_staff(scope: str, permission: Permission) -> Callable[[Request], Awaitable[Viewer]]:
    """A person's token with the admin ``scope`` whose role grants ``permission``."""
    person = require(scope)

    async def dependency(request: Request) -> Viewer:
        viewer = await person(request)
        if not role_of(viewer.person.role).allows(permission):
            raise Forbidden("This action is not allowed")
        return viewer

    return dependency


async def awaiting_confirmation(request: Request) -> Viewer:
    """A person's token, any scope, whether or not the address is confirmed or the account
    approved yet (for the one route that must work before: POST
    /api/v1/emails/confirmations)."""
    token = bearer_token(request)
    if not token:
        raise Unauthorized("The access token is invalid")
    viewer = await load_viewer(get_db(request), token, any_standing=True)
    if viewer.account is None:
        raise Unprocessable("This method requires an authenticated user")
    return viewer


def optional(scope: str) -> Callable[[Request], Awaitable[Viewer]]:
    """Anyone may call; a token, if sent, must be valid and carry ``scope``."""

    async def dependency(request: Request) -> Viewer:
        viewer = await _viewer(request)
        if viewer.token is not None and not covers(viewer.scopes, scope):
            raise Forbidden("This action is outside the authorized scopes")
        return viewer

    return dependency
