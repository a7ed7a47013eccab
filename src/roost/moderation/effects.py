"""A suspension reaching what is stored apart from the account: timeline entries and
counts, brought in line by one job (``moderation_settle``) after every suspension and
unsuspension.

Correctness never waits for this job: every read asks the author's standing as it is
now (``statuses/visibility.withheld``), so a suspended author's post is hidden the
moment the suspension commits, even one a fan-out delivers afterwards (the race of a
fan-out that read its recipients before the suspension). The job makes the stores
match, so pages stay full and counts stay true:

- suspended: the account's entries leave the home timelines of its followers and the
  list timelines it is a member of, in both stores (``remove_author``, as an unfollow
  does), and others' counts are recounted without it;
- unsuspended: its posts go back into those timelines where a rebuild from SQL would
  place them (``timelines/rebuild.restore_home_author``: the rule of recipients.py,
  as many as a timeline holds, each at the cursor of when it was posted), so they
  read as if they had never left; a Redis timeline that is not live is left to its
  rebuild. The counts are recounted with it.

Other entries that name its posts (boosts of them in other timelines, deliveries by
mention or followed hashtag) stay in the stores and are left out at read.

The job converges on the account's state when it runs, not the state that scheduled
it: a suspension lifted while its job runs is caught by looking again after each pass.
It is idempotent (removals and deliveries are), so at-least-once runs are harmless.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from roost.accounts.models import Account
from roost.follows.relations import followers_of
from roost.jobs.runner import job
from roost.lists.lookup import lists_holding_with_owners
from roost.moderation.counts import recount_around
from roost.moderation.service import SETTLE
from roost.timelines.rebuild import restore_home_author, restore_list_author

if TYPE_CHECKING:
    from roost.runtime import Runtime

# Passes before giving up on an account whose state keeps changing under the job
# (the sweep runs it again later).
MAX_PASSES = 4


@job(SETTLE)
async def settle(runtime: Runtime, *, account_id: int) -> None:
    applied: bool | None = None
    for _ in range(MAX_PASSES):
        suspended = await _suspended(runtime, account_id)
        if suspended is None or suspended == applied:
            return
        if suspended:
            await _withdraw(runtime, account_id)
        else:
            await _restore(runtime, account_id)
        await recount_around(runtime, account_id)
        applied = suspended
    raise RuntimeError(f"account {account_id} kept changing state; settling again later")


async def _suspended(runtime: Runtime, account_id: int) -> bool | None:
    """Whether the account is suspended now; None if it is gone."""
    async with runtime.db.read() as session:
        row = (
            await session.execute(select(Account.suspended_at).where(Account.id == account_id))
        ).first()
    return None if row is None else row[0] is not None


async def _audience(runtime: Runtime, account_id: int) -> tuple[list[int], list[tuple[int, int]]]:
    """The timelines that receive the account's posts by following it: its followers'
    homes, and the lists it is a member of (with their owners)."""
    async with runtime.db.read() as session:
        followers = list(await session.scalars(followers_of(account_id)))
        lists = await lists_holding_with_owners(session, account_id)
    return followers, lists


async def _withdraw(runtime: Runtime, account_id: int) -> None:
    followers, lists = await _audience(runtime, account_id)
    for owner_id in followers:
        await runtime.timelines.remove_author(owner_id, account_id)
    for list_id, _owner in lists:
        await runtime.list_timelines.remove_author(list_id, account_id)


async def _restore(runtime: Runtime, account_id: int) -> None:
    followers, lists = await _audience(runtime, account_id)
    for owner_id in followers:
        await restore_home_author(runtime, owner_id=owner_id, author_id=account_id)
    for list_id, owner_id in lists:
        await restore_list_author(runtime, list_id=list_id, owner_id=owner_id, author_id=account_id)
