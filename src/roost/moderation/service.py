"""PLACEHOLDER, replaced at merge by the moderation branch's verbs (same names, same
signatures). Here each verb only sets or clears its column in the caller's session;
the caller commits. The real verbs add the effects (tokens and streams ended, posts
gone from every read path and cache, and back on reversal), after commit.

``reject_account`` deletes the pending account, as Mastodon's rejection does.
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
