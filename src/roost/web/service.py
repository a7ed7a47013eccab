"""Web-only verbs: sign-in sessions, sign-up through the accounts service, password
changes, and the apps a person has authorized."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts import service as accounts
from roost.accounts import validation
from roost.accounts.credentials import (
    account_key,
    check_login,
    hash_password_off_loop,
)
from roost.accounts.models import Account
from roost.accounts.schemas import RegistrationForm
from roost.accounts.standing import refusal, sentence
from roost.core.db import as_utc, commit, utcnow
from roost.core.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from roost.core.ids import new_id
from roost.core.security import new_token, token_digest, verify_password
from roost.lifecycle import deletion
from roost.mail import service as mail
from roost.oauth.models import AccessToken, AuthorizationCode, OAuthApp
from roost.oauth.tokens import revoke_account_access, revoke_tokens
from roost.web.models import WebSession

if TYPE_CHECKING:
    from roost.runtime import Runtime

SESSION_LIFETIME = timedelta(days=30)
# last_seen_at is written at most this often (a page view is otherwise read-only).
TOUCH_EVERY = timedelta(hours=1)
USER_AGENT_MAX = 255


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: WebSession


async def start_session(*, session: AsyncSession, account_id: int, user_agent: str) -> str:
    """A new sign-in; returns the cookie value (only its digest is stored)."""
    token = new_token()
    now = utcnow()
    session.add(
        WebSession(
            id=new_id(),
            token_hash=token_digest(token),
            account_id=account_id,
            csrf_secret=new_token(),
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent[:USER_AGENT_MAX],
        )
    )
    await commit(session)
    return token


async def find_session(*, session: AsyncSession, token: str) -> SignedIn | None:
    """The live session behind a cookie value, with its (approved) account."""
    row = (
        await session.execute(
            select(WebSession, Account)
            .join(Account, Account.id == WebSession.account_id)
            .where(WebSession.token_hash == token_digest(token))
        )
    ).first()
    if row is None:
        return None
    web_session, account = row
    if refusal(account) is not None or expired(web_session, utcnow()):
        return None
    return SignedIn(account=account, session=web_session)


def expired(web_session: WebSession, now: datetime) -> bool:
    return as_utc(web_session.last_seen_at) + SESSION_LIFETIME < now


def needs_touch(web_session: WebSession, now: datetime) -> bool:
    return as_utc(web_session.last_seen_at) + TOUCH_EVERY < now


async def touch_session(*, session: AsyncSession, session_id: int) -> None:
    await session.execute(
        update(WebSession).where(WebSession.id == session_id).values(last_seen_at=utcnow())
    )
    await commit(session)


async def end_all_sessions(*, session: AsyncSession, account_id: int) -> int:
    """Sign the account out of every browser (a password reset); the caller commits.
    How many sessions ended."""
    ended = await session.execute(
        delete(WebSession).where(WebSession.account_id == account_id).returning(WebSession.id)
    )
    return len(ended.all())


async def end_session(*, session: AsyncSession, session_id: int) -> None:
    await session.execute(delete(WebSession).where(WebSession.id == session_id))
    await commit(session)


async def sign_in(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    runtime: Runtime,
    ip: str,
    login: str,
    password: str,
    user_agent: str,
) -> str:
    """Check the email (or username) and password; returns a new session's cookie value."""
    account = await check_login(
        session=read_session, limiter=runtime.limiter, ip=ip, login=login, password=password
    )
    if account is None:
        raise Unauthorized("That email or username and password do not match an account.")
    refused = refusal(account)
    if refused is not None:
        raise Forbidden(sentence(refused))
    return await start_session(session=write_session, account_id=account.id, user_agent=user_agent)


async def sign_up(
    *,
    session: AsyncSession,
    runtime: Runtime,
    ip: str,
    form: RegistrationForm,
    user_agent: str,
) -> SignedUp:
    """Register with the API's rules; signed in at once unless the account waits for its
    address to be confirmed or for approval. The web page is no OAuth app: no token is
    made."""
    account = await accounts.create_account(session=session, runtime=runtime, ip=ip, form=form)
    waits_for_mail = account.confirmed_at is None
    if waits_for_mail or not account.approved:
        return SignedUp(
            cookie=None,
            email=account.email,
            confirm_email=waits_for_mail,
            approval=not account.approved,
        )
    cookie = await start_session(session=session, account_id=account.id, user_agent=user_agent)
    return SignedUp(cookie=cookie, email=account.email)


@dataclass(frozen=True)
class SignedUp:
    cookie: str | None  # a session, when the account may sign in at once
    email: str
    confirm_email: bool = False  # it waits for the address to be confirmed (a mail is owed)
    approval: bool = False  # it waits for a moderator


@dataclass(frozen=True)
class PasswordChanged:
    sessions_ended: int  # the other browsers signed out
    tokens_revoked: int  # the OAuth access tokens revoked (apps must sign in again)


async def change_password(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    keep_session_id: int,
    current_password: str,
    new_password: str,
) -> PasswordChanged:
    """Set a new password, sign out every other session and, as Mastodon does, revoke
    every OAuth token of the account (their open streams end)."""
    # Guessing the current password is a sign-in attempt on this account.
    await runtime.limiter.hit("login_account", account_key(account_id))
    errors = validation.Errors()
    validation.check_password(errors, new_password)
    if errors:
        detail = errors.fields["password"][0]["description"]
        raise Unprocessable(
            f"New password {detail}", details={"new_password": errors.fields["password"]}
        )
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound()
    if not await asyncio.to_thread(verify_password, account.password_hash, current_password):
        raise Unauthorized("The current password is not right.")
    account.password_hash = await hash_password_off_loop(new_password)
    ended = await session.execute(
        delete(WebSession)
        .where(WebSession.account_id == account_id, WebSession.id != keep_session_id)
        .returning(WebSession.id)
    )
    count = len(ended.all())
    revoked = await revoke_account_access(session, runtime, account_id)
    await commit(session)
    return PasswordChanged(sessions_ended=count, tokens_revoked=revoked)


async def delete_account(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    password: str,
) -> None:
    """Delete one's own account (lifecycle/deletion.py), then the rows of its browsers'
    sessions (already refused: ``find_session`` turns a deleted account away)."""
    await deletion.delete_own_account(
        read_session=read_session,
        write_session=write_session,
        runtime=runtime,
        account_id=account_id,
        password=password,
    )
    await write_session.execute(delete(WebSession).where(WebSession.account_id == account_id))
    await commit(write_session)


async def reset_password(
    *, session: AsyncSession, runtime: Runtime, token: str, new_password: str
) -> None:
    """Follow a password reset link: the new password is set once, every session and
    every OAuth token of the account ends (their streams too). Following the link also
    proves the address, so an address still awaiting confirmation is confirmed."""
    errors = validation.Errors()
    validation.check_password(errors, new_password)
    errors.raise_if_any()
    password_hash = await hash_password_off_loop(new_password)
    account = await mail.take_reset_token(session=session, token=token)
    account.password_hash = password_hash
    if account.confirmed_at is None:
        account.confirmed_at = utcnow()
    await session.execute(delete(WebSession).where(WebSession.account_id == account.id))
    await revoke_account_access(session, runtime, account.id)
    runtime.accounts.forget(session, [account.id])
    await commit(session)


@dataclass(frozen=True)
class AuthorizedApp:
    id: int
    name: str
    website: str | None
    scopes: list[str]
    authorized_at: datetime
    tokens: int


async def authorized_apps(*, session: AsyncSession, account_id: int) -> list[AuthorizedApp]:
    """The OAuth apps holding live tokens for this account, one entry per app."""
    rows = await session.execute(
        select(
            OAuthApp,
            func.min(AccessToken.created_at),
            func.count(AccessToken.id),
        )
        .join(AccessToken, AccessToken.app_id == OAuthApp.id)
        .where(AccessToken.account_id == account_id, AccessToken.revoked_at.is_(None))
        .group_by(OAuthApp.id)
        .order_by(OAuthApp.name, OAuthApp.id)
    )
    grouped = list(rows.all())
    if not grouped:
        return []
    scope_rows = await session.execute(
        select(AccessToken.app_id, AccessToken.scopes).where(
            AccessToken.account_id == account_id,
            AccessToken.revoked_at.is_(None),
            AccessToken.app_id.in_([app.id for app, _, _ in grouped]),
        )
    )
    scopes: dict[int | None, set[str]] = {}
    for app_id, granted in scope_rows.all():
        scopes.setdefault(app_id, set()).update(granted.split())
    return [
        AuthorizedApp(
            id=app.id,
            name=app.name,
            website=app.website,
            scopes=sorted(scopes.get(app.id, set())),
            authorized_at=as_utc(first),
            tokens=count,
        )
        for app, first, count in grouped
    ]


async def revoke_app(
    *, session: AsyncSession, runtime: Runtime, account_id: int, app_id: int
) -> int:
    """End every token this app holds for the account (and their open streams), and its
    unused codes."""
    revoked = await revoke_tokens(
        session, runtime, AccessToken.account_id == account_id, AccessToken.app_id == app_id
    )
    if not revoked:
        raise NotFound()
    await session.execute(
        delete(AuthorizationCode).where(
            AuthorizationCode.account_id == account_id,
            AuthorizationCode.app_id == app_id,
            AuthorizationCode.used_at.is_(None),
        )
    )
    await commit(session)
    return revoked
