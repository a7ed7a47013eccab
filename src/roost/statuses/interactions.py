"""Favourites, boosts and bookmarks: each idempotent; favourites and boosts with their
counter and notification, bookmarks private to their owner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.standing import seen_by_others
from roost.core.db import commit, utcnow
from roost.core.errors import Forbidden
from roost.core.ids import new_id
from roost.core.paging import Page, Window, paginate
from roost.follows.relations import not_blocked_either_way
from roost.notifications.service import notify, withdraw
from roost.statuses import counters
from roost.statuses.lookup import get_visible_original
from roost.statuses.models import Bookmark, Favourite, Status
from roost.statuses.visibility import LISTED_VISIBILITIES
from roost.timelines.fanout import schedule_fan_out, schedule_remove_status

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def favourite(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Favourite a post (a boost stands for its post); returns the post."""
    status = await get_visible_original(session, viewer.id, status_id)
    exists = await session.scalar(
        select(Favourite.id).where(
            Favourite.account_id == viewer.id, Favourite.status_id == status.id
        )
    )
    if exists is None:
        session.add(
            Favourite(id=new_id(), account_id=viewer.id, status_id=status.id, created_at=utcnow())
        )
        try:
            await session.flush()
        except IntegrityError:  # favourited concurrently: already done
            await session.rollback()
            await session.refresh(status)
            return status
        await counters.add_to_status(session, status.id, runtime=runtime, favourites=1)
        await notify(
            session=session,
            runtime=runtime,
            recipient_id=status.account_id,
            actor_id=viewer.id,
            type="favourite",
            status_id=status.id,
        )
    await commit(session)
    return status


async def unfavourite(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    status = await _own_interaction_target(session, viewer.id, status_id, Favourite)
    removed = await session.execute(
        delete(Favourite).where(Favourite.account_id == viewer.id, Favourite.status_id == status.id)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        await counters.add_to_status(session, status.id, runtime=runtime, favourites=-1)
        await withdraw(
            session=session,
            recipient_id=status.account_id,
            actor_id=viewer.id,
            type="favourite",
            status_id=status.id,
        )
    await commit(session)
    return status


async def reblog(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer: Account,
    app_id: int | None,
    status_id: int,
    visibility: str | None = None,
) -> Status:
    """Boost a post (boosting a boost boosts its post); returns the boost. Idempotent."""
    original = await get_visible_original(session, viewer.id, status_id)
    if original.visibility not in LISTED_VISIBILITIES and not (
        original.visibility == "private" and original.account_id == viewer.id
    ):
        raise Forbidden("This action is not allowed")
    existing = await _boost_of(session, viewer.id, original.id)
    if existing is not None:
        await commit(session)
        return existing
    boost = Status(
        id=new_id(),
        account_id=viewer.id,
        reblog_of_id=original.id,
        # A followers-only post stays followers-only when its author boosts it.
        visibility="private" if original.visibility == "private" else visibility or "public",
        application_id=app_id,
        created_at=utcnow(),
    )
    session.add(boost)
    try:
        await session.flush()
    except IntegrityError:  # boosted concurrently: return that boost
        await session.rollback()
        existing = await _boost_of(session, viewer.id, original.id)
        if existing is None:
            raise
        return existing
    await counters.add_to_status(session, original.id, runtime=runtime, reblogs=1)
    await counters.add_to_accounts(session, [viewer.id], runtime=runtime, statuses=1, touch=True)
    await notify(
        session=session,
        runtime=runtime,
        recipient_id=original.account_id,
        actor_id=viewer.id,
        type="reblog",
        status_id=original.id,
    )
    schedule_fan_out(session, runtime, boost)
    await commit(session)
    return boost


async def unreblog(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Undo one's boost of a post; returns the post."""
    original = await _own_interaction_target(session, viewer.id, status_id, Status)
    boost = await _boost_of(session, viewer.id, original.id)
    if boost is not None:
        await session.execute(delete(Status).where(Status.id == boost.id))
        runtime.versions.forget(session, "status", [boost.id])
        await counters.add_to_status(session, original.id, runtime=runtime, reblogs=-1)
        await counters.add_to_accounts(session, [viewer.id], runtime=runtime, statuses=-1)
        await withdraw(
            session=session,
            recipient_id=original.account_id,
            actor_id=viewer.id,
            type="reblog",
            status_id=original.id,
        )
        schedule_remove_status(session, runtime, status_id=boost.id, author_id=viewer.id)
    await commit(session)
    return original


async def bookmark(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Bookmark a post the viewer may see (a boost stands for its post); returns it."""
    status = await get_visible_original(session, viewer.id, status_id)
    exists = await session.scalar(
        select(Bookmark.id).where(Bookmark.account_id == viewer.id, Bookmark.status_id == status.id)
    )
    if exists is None:
        session.add(
            Bookmark(id=new_id(), account_id=viewer.id, status_id=status.id, created_at=utcnow())
        )
        try:
            await session.flush()
        except IntegrityError:  # bookmarked concurrently: already done
            await session.rollback()
            return status
        # The flag is the viewer's own: only the viewer's kept pages show it.
        runtime.versions.forget(session, "home", [viewer.id])
    await commit(session)
    return status


async def unbookmark(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Remove a bookmark (allowed even if the post can no longer be seen); returns the post."""
    status = await _own_interaction_target(session, viewer.id, status_id, Bookmark)
    removed = await session.execute(
        delete(Bookmark).where(Bookmark.account_id == viewer.id, Bookmark.status_id == status.id)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        runtime.versions.forget(session, "home", [viewer.id])
    await commit(session)
    return status


async def _boost_of(session: AsyncSession, account_id: int, original_id: int) -> Status | None:
    return await session.scalar(
        select(Status).where(Status.account_id == account_id, Status.reblog_of_id == original_id)
    )


async def _own_interaction_target(
    session: AsyncSession,
    viewer_id: int,
    status_id: int,
    kind: type[Favourite] | type[Bookmark] | type[Status],
) -> Status:
    """The post to undo a favourite, bookmark or boost on. Someone who favourited,
    bookmarked or boosted a post may undo it even if they can no longer see the post
    (say they were blocked since); otherwise the post must be visible to them."""
    status = await session.get(Status, status_id)
    if status is not None and status.reblog_of_id is not None:
        status = await session.get(Status, status.reblog_of_id)
    if status is not None:
        if kind is Favourite or kind is Bookmark:
            mark = Favourite if kind is Favourite else Bookmark
            mine = select(mark.id).where(mark.account_id == viewer_id, mark.status_id == status.id)
        else:
            mine = select(Status.id).where(
                Status.account_id == viewer_id, Status.reblog_of_id == status.id
            )
        if await session.scalar(mine) is not None:
            return status
    return await get_visible_original(session, viewer_id, status_id)


async def favourited_by(
    *,
    session: AsyncSession,
    viewer_id: int | None,
    status_id: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 40,
) -> Page[Account]:
    """The accounts that favourited a post, newest favourite first, paged by its id."""
    status = await get_visible_original(session, viewer_id, status_id)
    query = (
        select(Account)
        .join(Favourite, Favourite.account_id == Account.id)
        .where(Favourite.status_id == status.id, seen_by_others())
    )
    if viewer_id is not None:
        query = query.where(not_blocked_either_way(viewer_id, Favourite.account_id))
    window = Window(max_id, since_id, min_id, limit)
    return await paginate(session, query, key=Favourite.id, page=window)


async def reblogged_by(
    *,
    session: AsyncSession,
    viewer_id: int | None,
    status_id: int,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
    limit: int = 40,
) -> Page[Account]:
    """The accounts that boosted a post, newest boost first, paged by the boost's id;
    followers-only boosts are not listed."""
    status = await get_visible_original(session, viewer_id, status_id)
    listed = Status.visibility.in_(LISTED_VISIBILITIES)
    query = (
        select(Account)
        .join(Status, Status.account_id == Account.id)
        .where(Status.reblog_of_id == status.id, seen_by_others())
        .where(or_(listed, Status.account_id == viewer_id) if viewer_id is not None else listed)
    )
    if viewer_id is not None:
        query = query.where(not_blocked_either_way(viewer_id, Status.account_id))
    window = Window(max_id, since_id, min_id, limit)
    return await paginate(session, query, key=Status.id, page=window)


async def remove_favourites_of(
    *, session: AsyncSession, runtime: Runtime, account_id: int, limit: int
) -> int:
    """Take back up to ``limit`` of an account's favourites, each post's count and
    notification with it, and its bookmarks, then commit; how many favourites were
    taken back (0: none is left). For an account being deleted (lifecycle/deletion.py)."""
    rows = (
        await session.execute(
            select(Favourite.id, Status.id, Status.account_id)
            .join(Status, Status.id == Favourite.status_id)
            .where(Favourite.account_id == account_id)
            .order_by(Favourite.id)
            .limit(limit)
        )
    ).all()
    for _, status_id, author_id in rows:
        await counters.add_to_status(session, status_id, runtime=runtime, favourites=-1)
        await withdraw(
            session=session,
            recipient_id=author_id,
            actor_id=account_id,
            type="favourite",
            status_id=status_id,
        )
    if rows:
        await session.execute(delete(Favourite).where(Favourite.id.in_([row[0] for row in rows])))
    await session.execute(delete(Bookmark).where(Bookmark.account_id == account_id))
    await commit(session)
    return len(rows)
