"""Others' counts without a suspended account's doings, and with them again after.

A suspended account's favourites, boosts and public replies leave the counts of the
posts they were about, and its follows leave the follower and following counts of
the accounts on their other end (``accounts/standing.counted``: the one rule). The
counts are denormalized and stepped by each action (statuses/counters.py,
follows/service.py), so a suspension and its lifting recount the rows the account
touched, from the rows themselves: a recount is idempotent and always ends at the
truth of the moment it runs. While the account stays suspended nothing of its own
changes (it cannot act), and a follow others remove meanwhile is not stepped
(``follows/service._bump`` asks ``counted`` too), so the counts stay true.

The account's own counts are not changed: its Account entity shows none while it is
suspended (accounts/render.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select, union, update
from sqlalchemy.orm import aliased

from roost.accounts.models import Account
from roost.accounts.standing import counted
from roost.core.db import commit
from roost.follows.models import Follow
from roost.statuses.models import Favourite, Status
from roost.statuses.visibility import LISTED_VISIBILITIES

if TYPE_CHECKING:
    from roost.runtime import Runtime

BATCH = 500


async def recount_around(runtime: Runtime, account_id: int) -> None:
    """Recount every count the account's doings are part of, in batches (a transaction
    each), forgetting the kept renderings of what changed."""
    async with runtime.db.read() as session:
        statuses = list(await session.scalars(_touched_statuses(account_id)))
        followed = list(
            await session.scalars(
                select(Follow.target_account_id).where(Follow.account_id == account_id)
            )
        )
        followers = list(
            await session.scalars(
                select(Follow.account_id).where(Follow.target_account_id == account_id)
            )
        )
    for batch in _batches(statuses):
        await _recount_statuses(runtime, batch)
    for batch in _batches(followed):
        await _recount_accounts(runtime, batch, followers=True)
    for batch in _batches(followers):
        await _recount_accounts(runtime, batch, followers=False)


def _touched_statuses(account_id: int) -> Select[int]:
    """The posts the account favourited, boosted or replied to (its own among them)."""
    boosted = select(Status.reblog_of_id).where(
        Status.account_id == account_id, Status.reblog_of_id.is_not(None)
    )
    replied = select(Status.in_reply_to_id).where(
        Status.account_id == account_id, Status.in_reply_to_id.is_not(None)
    )
    favourited = select(Favourite.status_id).where(Favourite.account_id == account_id)
    found = union(boosted, replied, favourited).subquery()
    return select(found.c[0])


def _batches(ids: Sequence[int]) -> list[list[int]]:
    return [list(ids[start : start + BATCH]) for start in range(0, len(ids), BATCH)]


async def _recount_statuses(runtime: Runtime, ids: list[int]) -> None:
    reply, boost = aliased(Status), aliased(Status)
    replies = (
        select(func.count())
        .where(
            reply.in_reply_to_id == Status.id,
            reply.visibility.in_(LISTED_VISIBILITIES),  # as post_status counts them
            counted(reply.account_id),
        )
        .scalar_subquery()
    )
    reblogs = (
        select(func.count())
        .where(boost.reblog_of_id == Status.id, counted(boost.account_id))
        .scalar_subquery()
    )
    favourites = (
        select(func.count())
        .where(Favourite.status_id == Status.id, counted(Favourite.account_id))
        .scalar_subquery()
    )
    async with runtime.db.write() as session:
        await session.execute(
            update(Status)
            .where(Status.id.in_(ids))
            .values(replies_count=replies, reblogs_count=reblogs, favourites_count=favourites)
            .execution_options(synchronize_session=False)
        )
        runtime.versions.forget(session, "status", ids)
        await commit(session)


async def _recount_accounts(runtime: Runtime, ids: list[int], *, followers: bool) -> None:
    """``followers_count`` (``followers``) or ``following_count`` of these accounts."""
    if followers:
        column, own, other = "followers_count", Follow.target_account_id, Follow.account_id
    else:
        column, own, other = "following_count", Follow.account_id, Follow.target_account_id
    count = select(func.count()).where(own == Account.id, counted(other)).scalar_subquery()
    async with runtime.db.write() as session:
        await session.execute(
            update(Account)
            .where(Account.id.in_(ids))
            .values({column: count})
            .execution_options(synchronize_session=False)
        )
        runtime.accounts.forget(session, ids)
        await commit(session)
