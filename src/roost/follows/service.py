"""The follow graph's verbs: follow, unfollow, block, unblock, mute, unmute, and the
private note on an account. A follow of a locked account is a follow request until
its owner answers it (``follows/requests.py``).

Every verb locks both accounts' rows (lowest id first) before it reads the graph,
so two changes between the same pair of people (a follow racing a block, a
double-clicked follow) run one after the other: no duplicate rows, no counter
drift, no follow that survives a block. On SQLite the single writer already
serializes them; ``FOR UPDATE`` is what does it on PostgreSQL.

Each verb returns the Relationship as it stands once its transaction commits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from roost.accounts.models import Account
from roost.accounts.standing import counted, seen_by_others
from roost.core.db import commit, utcnow
from roost.core.errors import Forbidden, NotFound, Unprocessable
from roost.core.ids import new_id
from roost.follows.models import AccountNote, Block, Follow, FollowRequest, Mute
from roost.follows.relations import blocked_either_way
from roost.follows.relationships import relationships
from roost.jobs.outbox import schedule_job
from roost.lists.service import leave_lists
from roost.notifications.service import notify as send_notification
from roost.notifications.service import withdraw
from roost.timelines.fanout import schedule_merge_author, schedule_remove_author

if TYPE_CHECKING:
    from roost.runtime import Runtime

NOTE_MAX = 2000  # Mastodon's limit on a private note
MUTE_MAX_SECONDS = 100 * 365 * 24 * 3600  # longer than this is forever; 0 means forever


async def follow(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Account,
    target_id: int,
    reblogs: bool = True,
    notify: bool = False,
) -> dict[str, Any]:
    """Follow at once; a locked account gets a follow request instead (and a
    ``follow_request`` notification). Following again only updates the options, of
    the follow or of the request still waiting."""
    locked = await lock_pair(session, actor.id, target_id, to_follow=True)
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
    elif locked:
        await _request(session, runtime, actor.id, target_id, reblogs=reblogs, notify=notify)
    else:
        await link(
            session,
            runtime,
            follower_id=actor.id,
            target_id=target_id,
            reblogs=reblogs,
            notify=notify,
        )
        await send_notification(
            session=session,
            runtime=runtime,
            recipient_id=target_id,
            actor_id=actor.id,
            type="follow",
        )
    return await finish(session, runtime, actor.id, target_id)


async def _request(
    session: AsyncSession,
    runtime: Runtime,
    follower_id: int,
    target_id: int,
    *,
    reblogs: bool,
    notify: bool,
) -> None:
    """Ask to follow a locked account, or update the options of the request waiting."""
    waiting: FollowRequest | None = await session.scalar(
        select(FollowRequest).where(
            FollowRequest.account_id == follower_id, FollowRequest.target_account_id == target_id
        )
    )
    if waiting is not None:
        waiting.show_reblogs = reblogs
        waiting.notify = notify
        return
    session.add(
        FollowRequest(
            id=new_id(),
            account_id=follower_id,
            target_account_id=target_id,
            show_reblogs=reblogs,
            notify=notify,
        )
    )
    await session.flush()
    await send_notification(
        session=session,
        runtime=runtime,
        recipient_id=target_id,
        actor_id=follower_id,
        type="follow_request",
    )


async def link(
    session: AsyncSession,
    runtime: Runtime,
    *,
    follower_id: int,
    target_id: int,
    reblogs: bool,
    notify: bool,
) -> None:
    """Add the follow row with its counters, and back-fill the follower's home with
    the target's recent posts after commit. The caller locked the pair."""
    session.add(
        Follow(
            id=new_id(),
            account_id=follower_id,
            target_account_id=target_id,
            show_reblogs=reblogs,
            notify=notify,
        )
    )
    await _bump(session, runtime, follower_id, Account.following_count, +1, other=target_id)
    await _bump(session, runtime, target_id, Account.followers_count, +1, other=follower_id)
    await session.flush()
    schedule_merge_author(session, runtime, owner_id=follower_id, author_id=target_id)


async def unfollow(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    """Unfollow; a follow request still waiting is withdrawn."""
    await lock_pair(session, actor.id, target_id)
    if await _unlink(session, runtime, follower_id=actor.id, target_id=target_id):
        schedule_remove_author(session, runtime, owner_id=actor.id, author_id=target_id)
    await drop_request(session, follower_id=actor.id, target_id=target_id)
    return await finish(session, runtime, actor.id, target_id)


async def set_notify(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int, notify: bool
) -> dict[str, Any]:
    """Turn the bell on a follow (or a follow request) on or off; the other options stay.
    Neither following nor asking to: 403, as there is nothing to ring."""
    await lock_pair(session, actor.id, target_id)
    existing: Follow | FollowRequest | None = await _follow_row(session, actor.id, target_id)
    if existing is None:
        existing = await session.scalar(
            select(FollowRequest).where(
                FollowRequest.account_id == actor.id, FollowRequest.target_account_id == target_id
            )
        )
    if existing is None:
        raise Forbidden("You do not follow this account")
    existing.notify = notify
    return await finish(session, runtime, actor.id, target_id)


async def block(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    """Block: end follows both ways and clear each from the other's home timeline."""
    await lock_pair(session, actor.id, target_id)
    if target_id == actor.id:
        raise Forbidden("You cannot block yourself")
    existing = await session.scalar(
        select(Block.id).where(Block.account_id == actor.id, Block.target_account_id == target_id)
    )
    if existing is None:
        await _unlink(session, runtime, follower_id=actor.id, target_id=target_id)
        await _unlink(session, runtime, follower_id=target_id, target_id=actor.id)
        await drop_request(session, follower_id=actor.id, target_id=target_id)
        await drop_request(session, follower_id=target_id, target_id=actor.id)
        session.add(Block(id=new_id(), account_id=actor.id, target_account_id=target_id))
        schedule_remove_author(session, runtime, owner_id=actor.id, author_id=target_id)
        schedule_remove_author(session, runtime, owner_id=target_id, author_id=actor.id)
    return await finish(session, runtime, actor.id, target_id)


async def unblock(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    await lock_pair(session, actor.id, target_id)
    await session.execute(
        delete(Block).where(Block.account_id == actor.id, Block.target_account_id == target_id)
    )
    return await finish(session, runtime, actor.id, target_id)


async def mute(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Account,
    target_id: int,
    notifications: bool = True,
    duration: int = 0,
) -> dict[str, Any]:
    """Mute: their posts leave the home timeline; ``notifications`` also hides theirs.
    ``duration`` seconds later the mute ends by itself (0: it lasts until unmuted);
    muting again sets both anew."""
    if duration < 0 or duration > MUTE_MAX_SECONDS:
        raise Unprocessable(f"duration must be between 0 and {MUTE_MAX_SECONDS} seconds")
    await lock_pair(session, actor.id, target_id)
    if target_id == actor.id:
        raise Forbidden("You cannot mute yourself")
    expires_at = utcnow() + timedelta(seconds=duration) if duration else None
    existing = await session.scalar(
        select(Mute).where(Mute.account_id == actor.id, Mute.target_account_id == target_id)
    )
    if existing is not None:
        existing.hide_notifications = notifications
        existing.expires_at = expires_at
    else:
        session.add(
            Mute(
                id=new_id(),
                account_id=actor.id,
                target_account_id=target_id,
                hide_notifications=notifications,
                expires_at=expires_at,
            )
        )
        schedule_remove_author(session, runtime, owner_id=actor.id, author_id=target_id)
    if expires_at is not None:
        schedule_job(
            session,
            runtime,
            "end_mute",
            run_at=expires_at,
            muter_id=actor.id,
            muted_id=target_id,
        )
    return await finish(session, runtime, actor.id, target_id)


async def unmute(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int
) -> dict[str, Any]:
    """Unmute: if the actor follows them, their recent posts come back into the timeline."""
    await lock_pair(session, actor.id, target_id)
    removed = await session.execute(
        delete(Mute)
        .where(Mute.account_id == actor.id, Mute.target_account_id == target_id)
        .returning(Mute.id)
    )
    if removed.first() is not None and await _follow_row(session, actor.id, target_id):
        schedule_merge_author(session, runtime, owner_id=actor.id, author_id=target_id)
    return await finish(session, runtime, actor.id, target_id)


async def end_mute(
    *, session: AsyncSession, runtime: Runtime, muter_id: int, muted_id: int
) -> None:
    """Delete a timed mute that has ended (and nothing if it was renewed or lifted), and
    bring the muted person's recent posts back if the muter follows them. The mute
    stopped applying when it ended (``relations.mute_in_force``); this tidies up."""
    await lock_pair(session, muter_id, muted_id)
    removed = await session.execute(
        delete(Mute)
        .where(
            Mute.account_id == muter_id,
            Mute.target_account_id == muted_id,
            Mute.expires_at.is_not(None),
            Mute.expires_at <= utcnow(),
        )
        .returning(Mute.id)
    )
    if removed.first() is not None and await _follow_row(session, muter_id, muted_id):
        schedule_merge_author(session, runtime, owner_id=muter_id, author_id=muted_id)
    runtime.versions.forget(session, "home", [muter_id])
    await commit(session)


async def set_note(
    *, session: AsyncSession, runtime: Runtime, actor: Account, target_id: int, comment: str
) -> dict[str, Any]:
    """Set the actor's private note on an account; an empty one removes it."""
    if len(comment) > NOTE_MAX:
        raise Unprocessable(f"comment is too long (maximum is {NOTE_MAX} characters)")
    await lock_pair(session, actor.id, target_id)
    await session.execute(
        delete(AccountNote).where(
            AccountNote.account_id == actor.id, AccountNote.target_account_id == target_id
        )
    )
    if comment.strip():
        session.add(
            AccountNote(
                id=new_id(), account_id=actor.id, target_account_id=target_id, comment=comment
            )
        )
    return await finish(session, runtime, actor.id, target_id)


async def sever(*, session: AsyncSession, runtime: Runtime, account_id: int, other_id: int) -> None:
    """End every relation between two accounts, both ways: follows (with their counts,
    list memberships, notifications and timeline entries), follow requests, blocks,
    mutes and private notes, and commit. For an account being deleted."""
    await _lock_rows(session, account_id, other_id)
    for follower, target in ((account_id, other_id), (other_id, account_id)):
        if await _unlink(session, runtime, follower_id=follower, target_id=target):
            schedule_remove_author(session, runtime, owner_id=follower, author_id=target)
        await drop_request(session, follower_id=follower, target_id=target)
    for model in (Block, Mute, AccountNote):
        await session.execute(
            delete(model).where(
                ((model.account_id == account_id) & (model.target_account_id == other_id))
                | ((model.account_id == other_id) & (model.target_account_id == account_id))
            )
        )
    runtime.versions.forget(session, "home", [account_id, other_id])
    await commit(session)


async def drop_request(session: AsyncSession, *, follower_id: int, target_id: int) -> bool:
    """Remove a waiting follow request and its notification; False if there was none."""
    removed = await session.execute(
        delete(FollowRequest)
        .where(
            FollowRequest.account_id == follower_id, FollowRequest.target_account_id == target_id
        )
        .returning(FollowRequest.id)
    )
    if removed.first() is None:
        return False
    await withdraw(
        session=session, recipient_id=target_id, actor_id=follower_id, type="follow_request"
    )
    return True


async def lock_pair(
    session: AsyncSession, actor_id: int, target_id: int, *, to_follow: bool = False
) -> bool:
    """Lock both account rows in id order; an unknown, unapproved or deleted target is
    not found, nor (``to_follow``) a suspended one, as Mastodon's FollowService has it:
    blocking, muting or unfollowing a suspended account still works. Whether the target
    is locked."""
    found = await _lock_rows(session, actor_id, target_id)
    if target_id not in found:
        raise NotFound()
    locked, shown = found[target_id]
    if to_follow and not shown:
        raise NotFound()
    return locked


async def _lock_rows(session: AsyncSession, one: int, other: int) -> dict[int, tuple[bool, bool]]:
    """Lock both account rows in id order; of those approved and not deleted, whether
    each is locked and whether others may see it (``accounts/standing.seen_by_others``)."""
    rows = await session.execute(
        select(Account.id, Account.approved, Account.deleted_at, Account.locked, seen_by_others())
        .where(Account.id.in_({one, other}))
        .order_by(Account.id)
        .with_for_update()
    )
    return {
        account_id: (bool(locked), bool(shown))
        for account_id, approved, deleted_at, locked, shown in rows.all()
        if approved and deleted_at is None
    }


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
    await _bump(session, runtime, follower_id, Account.following_count, -1, other=target_id)
    await _bump(session, runtime, target_id, Account.followers_count, -1, other=follower_id)
    # As on Mastodon, the "follow" notification goes away with the follow.
    await withdraw(session=session, recipient_id=target_id, actor_id=follower_id, type="follow")
    return True


async def _bump(
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    column: InstrumentedAttribute[int],
    delta: int,
    *,
    other: int,
) -> None:
    """Step one of ``account_id``'s follow counts for a follow with ``other``, unless
    ``other`` is suspended: a suspended account is not counted (moderation/counts.py)."""
    value: ColumnElement[int] = (
        column + delta if delta > 0 else case((column + delta < 0, 0), else_=column + delta)
    )
    runtime.accounts.forget(session, [account_id])
    await session.execute(
        update(Account)
        .where(Account.id == account_id, counted(other))
        .values({column: value})
        .execution_options(synchronize_session=False)
    )


async def finish(
    session: AsyncSession, runtime: Runtime, actor_id: int, target_id: int
) -> dict[str, Any]:
    """Read the relationship inside the transaction, then commit. Either one's home
    pages may show what this changed (a follow, a block, a mute; either way)."""
    runtime.versions.forget(session, "home", [actor_id, target_id])
    [relationship] = await relationships(session, viewer_id=actor_id, target_ids=[target_id])
    await commit(session)
    return relationship
