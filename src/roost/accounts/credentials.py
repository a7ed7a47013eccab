"""Signing in: find an account by email or username and check its password.

``check_login`` is the one door every sign-in goes through (the OAuth password
grant, the web login form, the authorize page's form): it counts the attempt per
IP and per account before the slow password check (see core/ratelimit.py).
"""

from __future__ import annotations

import asyncio
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.standing import UNCONFIRMED, sentence
from roost.core.ratelimit import RateLimiter
from roost.core.security import hash_password, verify_password

# Mastodon's words for a person whose address is not confirmed yet (the API), and the
# web page's (its sign-in forms).
UNCONFIRMED_WEB = sentence(UNCONFIRMED)


@cache
def _decoy_hash() -> str:
    """Checked when nobody has that login, so a miss costs as long as a hit."""
    return hash_password("roost decoy password")


async def hash_password_off_loop(password: str) -> str:
    """argon2 takes tens of milliseconds of CPU: keep it off the event loop."""
    return await asyncio.to_thread(hash_password, password)


def normalize_login(login: str) -> str:
    return login.strip().lower()


async def find_login(*, session: AsyncSession, login: str) -> Account | None:
    """The account whose email or username is ``login``."""
    login = normalize_login(login)
    if not login or len(login) > 254:
        return None
    account: Account | None = await session.scalar(
        select(Account).where(or_(Account.email == login, Account.username_lower == login))
    )
    return account


async def _password_matches(account: Account | None, password: str) -> bool:
    password_hash = account.password_hash if account else _decoy_hash()
    return await asyncio.to_thread(verify_password, password_hash, password)


async def check_credentials(*, session: AsyncSession, login: str, password: str) -> Account | None:
    """The account whose email or username is ``login`` if ``password`` is right, else None."""
    account = await find_login(session=session, login=login)
    matches = await _password_matches(account, password)
    return account if account is not None and matches else None


def account_key(account_id: int) -> str:
    """The ``login_account`` rate-limit key of a known account."""
    return f"account:{account_id}"


async def check_login(
    *, session: AsyncSession, limiter: RateLimiter, ip: str, login: str, password: str
) -> Account | None:
    """A sign-in attempt: counted per IP, then per account (any alias of one account
    counts as that account; an unknown login by its normalized text), then checked.
    Raises ``RateLimited`` past either limit; None when the login or password is wrong."""
    await limiter.hit("login_ip", ip)
    account = await find_login(session=session, login=login)
    key = account_key(account.id) if account else f"login:{normalize_login(login)}"
    await limiter.hit("login_account", key)
    if not password:
        return None
    matches = await _password_matches(account, password)
    return account if account is not None and matches else None
