"""The denormalized counts on accounts and statuses, changed in SQL so that
concurrent writers never lose an update, and never below zero. Rows already
loaded in the session keep their old counts: render from a fresh read."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.statuses.models import Status

if TYPE_CHECKING:
    from roost.runtime import Runtime


def _step(column: InstrumentedAttribute[int], by: int) -> object:
    if by >= 0:
        return column + by
    return case((column + by > 0, column + by), else_=0)


async def add_to_accounts(
    session: AsyncSession,
    account_ids: Collection[int],
    *,
    runtime: Runtime,
    statuses: int,
    touch: bool = False,
) -> None:
    """Change ``statuses_count``; ``touch`` also sets ``last_status_at`` to now."""
    if not account_ids:
        return
    runtime.accounts.forget(session, account_ids)
    values: dict[str, object] = {"statuses_count": _step(Account.statuses_count, statuses)}
    if touch:
        values["last_status_at"] = utcnow()
    await session.execute(
        update(Account)
        .where(Account.id.in_(list(account_ids)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def add_to_status(
    session: AsyncSession,
    status_id: int,
    *,
    runtime: Runtime,
    replies: int = 0,
    reblogs: int = 0,
    favourites: int = 0,
) -> None:
    values: dict[str, object] = {}
    if replies:
        values["replies_count"] = _step(Status.replies_count, replies)
    if reblogs:
        values["reblogs_count"] = _step(Status.reblogs_count, reblogs)
    if favourites:
        values["favourites_count"] = _step(Status.favourites_count, favourites)
    if values:
        runtime.versions.forget(session, "status", [status_id])
        await session.execute(
            update(Status)
            .where(Status.id == status_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
