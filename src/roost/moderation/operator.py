"""What the operator does from the command line (``roost admin``) besides moderating
(``admin/service.py``, with the ``OPERATOR`` as the actor): make an account with a
role, change a role, reset a password. Each verb works in the caller's session and
writes its audit-log row there (``admin/audit.py``: no actor account, "The command
line ..."); the caller commits, so the change and its record commit together."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts import validation as v
from roost.accounts.credentials import hash_password_off_loop
from roost.accounts.models import Account
from roost.accounts.roles import ROLES
from roost.accounts.service import check_taken
from roost.admin import audit
from roost.core.db import utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import new_id
from roost.oauth.tokens import revoke_account_access

if TYPE_CHECKING:
    from roost.runtime import Runtime


@dataclass(frozen=True)
class Created:
    account: Account
    password: str | None  # the generated one, if none was given


async def find_account(*, session: AsyncSession, username: str) -> Account:
    """The local account with this username (any state: pending, suspended...)."""
    name = username.strip().removeprefix("@").lower()
    account = await session.scalar(select(Account).where(Account.username_lower == name))
    if account is None:
        raise NotFound(f"No account is named {username!r}")
    return account


def check_role(role: str) -> str:
    if role not in ROLES:
        raise Unprocessable(f"Unknown role {role!r}: one of {', '.join(ROLES)}")
    return role


async def create_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    username: str,
    email: str,
    role: str = "user",
    password: str | None = None,
) -> Created:
    """An approved account with ``role``, made by the operator: the sign-up rules of
    the API apply (a reserved name aside: the operator may take ``admin``), but not
    the registration mode or its rate limit. Without a password, one is generated."""
    check_role(role)
    username, email = username.strip(), email.strip().lower()
    generated = secrets.token_urlsafe(18) if password is None else None
    chosen = password if password is not None else generated or ""
    errors = v.Errors()
    v.check_username(errors, username, reserved_ok=True)
    v.check_email(errors, email)
    v.check_password(errors, chosen)
    errors.raise_if_any()
    password_hash = await hash_password_off_loop(chosen)  # before the transaction starts
    await check_taken(session, errors, username, email)
    errors.raise_if_any()
    account = Account(
        id=new_id(),
        username=username,
        username_lower=username.lower(),
        email=email,
        password_hash=password_hash,
        approved=True,
        role=role,
        created_at=utcnow(),
    )
    session.add(account)
    _log(session, account, "create", f"created @{account.username} ({role})")
    return Created(account=account, password=generated)


async def set_role(*, session: AsyncSession, runtime: Runtime, account: Account, role: str) -> str:
    """Give the account ``role``; the role it had before."""
    check_role(role)
    before = account.role
    if before == role:
        raise Unprocessable(f"{account.username} is already {role}")
    account.role = role
    runtime.accounts.forget(session, [account.id])  # the entity's badge changes
    _log(session, account, "change_role", f"made @{account.username} {role} (was {before})")
    return before


async def reset_password(
    *, session: AsyncSession, runtime: Runtime, account: Account
) -> tuple[str, int]:
    """A new generated password; every token of the account is revoked (its apps must
    sign in again, its open streams end) and its unused authorization codes dropped.
    The new password and how many tokens were revoked. The web page's signed-in
    browsers are the web page's to end (``web.service.end_all_sessions``)."""
    password = secrets.token_urlsafe(18)
    account.password_hash = await hash_password_off_loop(password)
    revoked = await revoke_account_access(session, runtime, account.id)
    _log(session, account, "reset_password", f"reset the password of @{account.username}")
    return password, revoked


def _log(session: AsyncSession, account: Account, action: str, did: str) -> None:
    audit.log_action(
        session,
        actor=audit.OPERATOR,
        action=action,
        target_type=audit.ACCOUNT,
        target_id=account.id,
        did=did,
    )
