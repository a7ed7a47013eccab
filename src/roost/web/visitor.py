"""Who is looking at a page: the signed-in session behind the cookie, or nobody;
and the dependencies that guard pages and forms (sign-in, CSRF)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from roost.accounts.models import Account
from roost.accounts.roles import Permission, role_of
from roost.core.db import utcnow
from roost.core.errors import Forbidden
from roost.core.security import new_token
from roost.deps import get_db, get_runtime
from roost.web import csrf, service
from roost.web.models import WebSession

SESSION_COOKIE = "roost_session"
PRE_SESSION_COOKIE = "roost_csrf"
SESSION_MAX_AGE = int(service.SESSION_LIFETIME.total_seconds())
PRE_SESSION_MAX_AGE = 60 * 60 * 24


class LoginRequired(Exception):
    """The page or action needs a signed-in person (redirect to /login, or 401)."""


class CsrfRefused(Forbidden):
    def __init__(self) -> None:
        super().__init__("This form has expired or did not come from Roost. Reload and retry.")


@dataclass
class Visitor:
    account: Account | None
    session: WebSession | None
    csrf_token: str

    @property
    def account_id(self) -> int | None:
        return self.account.id if self.account else None


@dataclass
class Member(Visitor):
    """A visitor known to be signed in."""

    account: Account
    session: WebSession


def server_secret(request: Request) -> str:
    secret: str | None = getattr(request.app.state, "web_secret", None)
    if secret is None:
        secret = get_runtime(request).settings.resolved_secret_key()
        request.app.state.web_secret = secret
    return secret


def _pending(request: Request) -> dict[str, str | None]:
    cookies: dict[str, str | None] = getattr(request.state, "web_cookies", None) or {}
    request.state.web_cookies = cookies
    return cookies


def set_session_cookie(request: Request, token: str | None) -> None:
    """Send the session cookie with this response (``None`` deletes it)."""
    _pending(request)[SESSION_COOKIE] = token


def apply_cookies(request: Request, response: Response) -> None:
    secure = get_runtime(request).settings.scheme == "https"
    for name, value in _pending(request).items():
        if value is None:
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
            continue
        max_age = SESSION_MAX_AGE if name == SESSION_COOKIE else PRE_SESSION_MAX_AGE
        response.set_cookie(
            name, value, max_age=max_age, path="/", secure=secure, httponly=True, samesite="lax"
        )


async def get_visitor(request: Request) -> Visitor:
    cached: Visitor | None = getattr(request.state, "visitor", None)
    if cached is not None:
        return cached
    secret = server_secret(request)
    db = get_db(request)
    found = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= 128:
        async with db.read() as session:
            found = await service.find_session(session=session, token=token)
        if found is None:
            set_session_cookie(request, None)  # stale cookie: drop it
        elif service.needs_touch(found.session, utcnow()):
            async with db.write() as session:
                await service.touch_session(session=session, session_id=found.session.id)
            set_session_cookie(request, token)  # slide the cookie's 30 days as well
    visitor: Visitor
    if found is not None:
        visitor = Member(
            account=found.account,
            session=found.session,
            csrf_token=csrf.session_token(secret, found.session.csrf_secret),
        )
    else:
        pre = request.cookies.get(PRE_SESSION_COOKIE, "")
        if not 20 <= len(pre) <= 128:
            pre = new_token()
            _pending(request)[PRE_SESSION_COOKIE] = pre
        visitor = Visitor(
            account=None, session=None, csrf_token=csrf.pre_session_token(secret, pre)
        )
    await db.declare_reader(visitor.account_id)  # read on the primary, like a token
    request.state.visitor = visitor
    return visitor


async def get_member(visitor: Annotated[Visitor, Depends(get_visitor)]) -> Member:
    if not isinstance(visitor, Member):
        raise LoginRequired()
    return visitor


async def _given_token(request: Request) -> str | None:
    header = request.headers.get(csrf.HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(csrf.FIELD)
        return value if isinstance(value, str) else None
    return None


async def checked_member(
    request: Request, member: Annotated[Member, Depends(get_member)]
) -> Member:
    """A signed-in person's POST carrying their session's token; else 403."""
    if not csrf.matches(member.csrf_token, await _given_token(request)):
        raise CsrfRefused()
    return member


async def checked_visitor(
    request: Request, visitor: Annotated[Visitor, Depends(get_visitor)]
) -> Visitor:
    """A sign-in or sign-up form: the pre-session token (or, if the browser is already
    signed in, its session token)."""
    if not csrf.matches(visitor.csrf_token, await _given_token(request)):
        raise CsrfRefused()
    return visitor


VisitorDep = Annotated[Visitor, Depends(get_visitor)]
MemberDep = Annotated[Member, Depends(get_member)]
CheckedMember = Annotated[Member, Depends(checked_member)]
CheckedVisitor = Annotated[Visitor, Depends(checked_visitor)]


def _staff(member: Member, permission: Permission | None) -> Member:
    role = role_of(member.account.role)
    if not role.is_staff or (permission is not None and not role.allows(permission)):
        raise Forbidden("This action is not allowed")
    return member


def staff_member(permission: Permission | None = None) -> Callable[..., Awaitable[Member]]:
    """A signed-in person whose role is staff and grants ``permission`` (any staff role
    without one); anyone else gets 403, as from the admin API."""

    async def dependency(member: MemberDep) -> Member:
        return _staff(member, permission)

    return dependency


def checked_staff_member(permission: Permission) -> Callable[..., Awaitable[Member]]:
    """``staff_member`` for a form: its CSRF token checked first."""

    async def dependency(member: CheckedMember) -> Member:
        return _staff(member, permission)

    return dependency
