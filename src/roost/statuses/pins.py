"""Pins: an author features up to ``max_pinned_statuses`` of their own posts at the top
of their profile (Mastodon's StatusPin and its validator, with its messages)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit, utcnow
from roost.core.errors import Unprocessable
from roost.core.ids import new_id
from roost.statuses.lookup import get_visible
from roost.statuses.models import Status, StatusPin

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def pin(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Pin one's own post (not a boost, not a direct post); pinning it again is a no-op."""
    status = await get_visible(session, viewer.id, status_id)
    if status.reblog_of_id is not None:
        raise Unprocessable("Validation failed: A boost cannot be pinned")
    if status.account_id != viewer.id:
        raise Unprocessable("Validation failed: Someone else's post cannot be pinned")
    if status.visibility == "direct":
        raise Unprocessable(
            "Validation failed: Posts that are only visible to mentioned users cannot be pinned"
        )
    # The author's row, locked on PostgreSQL: two pins at once cannot both pass the count.
    await session.scalar(select(Account.id).where(Account.id == viewer.id).with_for_update())
    pinned = await session.scalar(
        select(StatusPin.id).where(
            StatusPin.account_id == viewer.id, StatusPin.status_id == status.id
        )
    )
    if pinned is None:
        count = await session.scalar(
            select(func.count()).select_from(StatusPin).where(StatusPin.account_id == viewer.id)
        )
        if (count or 0) >= runtime.settings.max_pinned_statuses:
            raise Unprocessable(
                "Validation failed: You have already pinned the maximum number of posts"
            )
        session.add(
            StatusPin(id=new_id(), account_id=viewer.id, status_id=status.id, created_at=utcnow())
        )
        try:
            await session.flush()
        except IntegrityError:  # pinned concurrently: already done
            await session.rollback()
            return status
        runtime.versions.forget(session, "home", [viewer.id])
    await commit(session)
    return status


async def unpin(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Unpin one of one's posts; unpinning what is not pinned is a no-op."""
    status = await get_visible(session, viewer.id, status_id)
    removed = await session.execute(
        delete(StatusPin).where(StatusPin.account_id == viewer.id, StatusPin.status_id == status.id)
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        runtime.versions.forget(session, "home", [viewer.id])
    await commit(session)
    return status
