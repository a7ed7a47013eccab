"""Signing in: find an account by email or username and check its password."""

from __future__ import annotations

import asyncio
from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.security import hash_password, verify_password


@cache
def _decoy_hash() -> str:
    """Checked when nobody has that login, so a miss costs as long as a hit."""
    return hash_password("roost decoy password")


async def hash_password_off_loop(password: str) -> str:
    """argon2 takes tens of milliseconds of CPU: keep it off the event loop."""
    return await asyncio.to_thread(hash_password, password)


async def check_credentials(*, session: AsyncSession, login: str, password: str) -> Account | None:
    """The account whose email or username is ``login`` if ``password`` is right, else None."""
    login = login.strip().lower()
    account = None
    if login and len(login) <= 254:
        account = await session.scalar(
            select(Account).where(or_(Account.email == login, Account.username_lower == login))
        )
    password_hash = account.password_hash if account else _decoy_hash()
    matches = await asyncio.to_thread(verify_password, password_hash, password)
    return account if account is not None and matches else None
