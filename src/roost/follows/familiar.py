"""The FamiliarFollowers entity: which of the people the viewer follows follow each
of some accounts (a profile's "followed by people you know")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.standing import seen_by_others
from roost.follows.relations import familiar_followers_of

if TYPE_CHECKING:
    from roost.runtime import Runtime

MAX_IDS = 40  # ids asked for at once; more are left out


async def familiar_followers(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, account_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """One FamiliarFollowers per id asked for, in that order (an unknown id gets an
    empty list, as on Mastodon)."""
    wanted = list(dict.fromkeys(account_ids))[:MAX_IDS]
    found = await familiar_followers_of(session, viewer_id=viewer_id, ids=wanted)
    follower_ids = {follower for followers in found.values() for follower in followers}
    accounts = {}
    if follower_ids:
        rows = await session.scalars(
            select(Account).where(Account.id.in_(follower_ids), seen_by_others())
        )
        accounts = {account.id: account for account in rows.all()}
    base_url = runtime.settings.base_url
    return [
        {
            "id": str(account_id),
            "accounts": [
                render_account(accounts[follower], base_url=base_url)
                for follower in found.get(account_id, [])
                if follower in accounts
            ],
        }
        for account_id in wanted
    ]
