"""The follow graph's verbs: follow, unfollow, block, unblock, mute, unmute.

Every verb locks both accounts' rows (lowest id first) before it reads the graph,
so two changes between the same pair of people (a follow racing a block, a
double-clicked follow) run one after the other: no duplicate rows, no counter
drift, no follow that survives a block. On SQLite the single writer already
serializes them; ``FOR UPDATE`` is what does it on PostgreSQL.

Each verb returns the Relationship as it stands once its transaction commits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from roost.accounts.models import Account
from roost.core.db import commit
from roost.core.errors import Forbidden, NotFound
from roost.core.ids import new_id
from roost.follows.models import Block, Follow, Mute
from roost.follows.relations import blocked_either_way
from roost.follows.relationships import relationships
from roost.lists.service import leave_lists
from roost.notifications.service import notify as send_notification
from roost.notifications.service import withdraw
from roost.timelines.fanout import schedule_merge_author, schedule_remove_author

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def follow(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Account,
    target_id: int,
    reblogs: bool = True,
    notify: bool = False,
) -> dict[str, Any]:
    """Follow at once (no follow requests). Following again only updates the options."""
    await _lock_pair(session, actor.id, target_id)
    if target_id == actor.id:
        raise Forbidden("You cannot follow yourself")
    if await blocked_either_way(session, one=actor.id, other=target_id):
        raise Forbidden("You cannot follow this account")
    existing = await _follow_row(session, actor.id, target_id)
    if existing is not None:
        if reblogs and not existing.show_reblogs:
            # Their boosts were kept out of the timeline so far; bring recent ones in.
            schedule_merge_author(session, runtime, owner_id=actor.id, author_id=target_id)
        existing.show_reblogs = reblogs
        existing.notify = notify
    else:
        session.add(
            Follow(
                id=new_id(),
                account_id=actor.id,
                target_account_id=target_id,
                show_reblogs=reblogs,
                notify=notify,
            )
        )
        await _bump(session, runtime, actor.id, Account.following_count, +1)
        await _bump(session, runtime, target_id, Account.followers_count, +1)
        await session.flush()
        await send_notification(
            session=session,
            runtime=runtime,
            recipient_id=target_id,
            actor_id=actor.id,
            type="follow",
        )
        schedule_merge_author(session, runtime, owner_id=actor.id, author_id=target_id)
    return await _finish(session, runtime, actor.id, target_id)


async def unfollow(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    await _lock_pair(session, actor.id, target_id)
    if await _unlink(session, runtime, follower_id=actor.id, target_id=target_id):
        schedule_remove_author(session, runtime, owner_id=actor.id, author_id=target_id)
    return await _finish(session, runtime, actor.id, target_id)


async def block(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    """Block: end follows both ways and clear each from the other's home timeline."""
    await _lock_pair(session, actor.id, target_id)
    if target_id == actor.id:
        raise Forbidden("You cannot block yourself")
    existing = await session.scalar(
        select(Block.id).where(Block.account_id == actor.id, Block.target_account_id == target_id)
    )
    if existing is None:
        await _unlink(session, runtime, follower_id=actor.id, target_id=target_id)
        await _unlink(session, runtime, follower_id=target_id, target_id=actor.id)
        session.add(Block(id=new_id(), account_id=actor.id, target_account_id=target_id))
        schedule_remove_author(session, runtime, owner_id=actor.id, author_id=target_id)
        schedule_remove_author(session, runtime, owner_id=target_id, author_id=actor.id)
    return await _finish(session, runtime, actor.id, target_id)


async def unblock(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    await _lock_pair(session, actor.id, target_id)
    await session.execute(
        delete(Block).where(Block.account_id == actor.id, Block.target_account_id == target_id)
    )
    return await _finish(session, runtime, actor.id, target_id)


async def mute(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Account,
    target_id: int,
    notifications: bool = True,
) -> dict[str, Any]:
    """Mute: their posts leave the home timeline; ``notifications`` also hides theirs."""
    await _lock_pair(session, actor.id, target_id)
    if target_id == actor.id:
        raise Forbidden("You cannot mute yourself")
    existing = await session.scalar(
        select(Mute).where(Mute.account_id == actor.id, Mute.target_account_id == target_id)
    )
    if existing is not None:
        existing.hide_notifications = notifications
    else:
        session.add(
            Mute(
                id=new_id(),
                account_id=actor.id,
                target_account_id=target_id,
                hide_notifications=notifications,
            )
        )
        schedule_remove_author(session, runtime, owner_id=actor.id, author_id=target_id)
    return await _finish(session, runtime, actor.id, target_id)


async def unmute(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    """Unmute: if the actor follows them, their recent posts come back into the timeline."""
    await _lock_pair(session, actor.id, target_id)
    removed = await session.execute(
        delete(Mute)
        .where(Mute.account_id == actor.id, Mute.target_account_id == target_id)
        .returning(Mute.id)
    )
    if removed.first() is not None and await _follow_row(session, actor.id, target_id):
        schedule_merge_author(session, runtime, owner_id=actor.id, author_id=target_id)
    return await _finish(session, runtime, actor.id, target_id)


async def _lock_pair(session: AsyncSession, actor_id: int, target_id: int) -> None:
    """Lock both account rows in id order; an unknown or unapproved target is not found."""
    rows = await session.execute(
        select(Account.id, Account.approved)
        .where(Account.id.in_({actor_id, target_id}))
        .order_by(Account.id)
        .with_for_update()
    )
    found = dict(rows.all())
    if not found.get(target_id, False):
        raise NotFound()


async def _follow_row(session: AsyncSession, follower_id: int, target_id: int) -> Follow | None:
    follow_row: Follow | None = await session.scalar(
        select(Follow).where(
            Follow.account_id == follower_id, Follow.target_account_id == target_id
        )
    )
    return follow_row


async def _unlink(
    session: AsyncSession, runtime: Runtime, *, follower_id: int, target_id: int
) -> bool:
    """Remove one follow and its counters; False if there was none."""
    removed = await session.execute(
        delete(Follow)
        .where(Follow.account_id == follower_id, Follow.target_account_id == target_id)
        .returning(Follow.id)
    )
    if removed.first() is None:
        return False
    await leave_lists(session, runtime, owner_id=follower_id, account_id=target_id)
    await _bump(session, runtime, follower_id, Account.following_count, -1)
    await _bump(session, runtime, target_id, Account.followers_count, -1)
    # As on Mastodon, the "follow" notification goes away with the follow.
    await withdraw(session=session, recipient_id=target_id, actor_id=follower_id, type="follow")
    return True


async def _bump(
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    column: InstrumentedAttribute[int],
    delta: int,
) -> None:
    value: ColumnElement[int] = (
        column + delta if delta > 0 else case((column + delta < 0, 0), else_=column + delta)
    )
    runtime.accounts.forget(session, [account_id])
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values({column: value})
        .execution_options(synchronize_session=False)
    )


async def _finish(
    session: AsyncSession, runtime: Runtime, actor_id: int, target_id: int
) -> dict[str, Any]:
    """Read the relationship inside the transaction, then commit. Either one's home
    pages may show what this changed (a follow, a block, a mute; either way)."""
    runtime.versions.forget(session, "home", [actor_id, target_id])
    [relationship] = await relationships(session, viewer_id=actor_id, target_ids=[target_id])
    await commit(session)
    return relationship
