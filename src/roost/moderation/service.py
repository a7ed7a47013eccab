"""PLACEHOLDER, replaced at merge by the moderation branch's real verbs.

The admin API (``roost.admin``) calls these with exactly these signatures. Each only
sets or clears its column in the caller's session (the caller writes the audit log and
commits); the real ones also run the effects of the state (ending streams, hiding
posts, ...) after commit. ``approve_account`` sets ``approved``; ``reject_account``
deletes the pending account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import utcnow

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def suspend_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.suspended_at = account.suspended_at or utcnow()


async def unsuspend_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.suspended_at = None


async def silence_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.silenced_at = account.silenced_at or utcnow()


async def unsilence_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.silenced_at = None


async def sensitize_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.sensitized_at = account.sensitized_at or utcnow()


async def unsensitize_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.sensitized_at = None


async def disable_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.disabled_at = account.disabled_at or utcnow()


async def enable_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.disabled_at = None


async def approve_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    account.approved = True


async def reject_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    await session.delete(account)
