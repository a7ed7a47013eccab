"""Load statuses by id for one viewer, applying the privacy policy of ``visibility``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.errors import NotFound
from roost.statuses.models import Status
from roost.statuses.render import load_originals
from roost.statuses.visibility import filter_visible, load_audience


async def visible_statuses(
    session: AsyncSession,
    viewer_id: int | None,
    statuses: Sequence[Status],
    *,
    hide_muted: bool = False,
) -> list[Status]:
    """The given statuses (in their order) that the viewer may read; boosts need both."""
    if not statuses:
        return []
    originals = await load_originals(session, statuses)
    authors = {s.account_id for s in statuses} | {s.account_id for s in originals.values()}
    audience = await load_audience(session, viewer_id, among=authors)
    return await filter_visible(session, audience, statuses, originals, hide_muted=hide_muted)


async def get_visible(session: AsyncSession, viewer_id: int | None, status_id: int) -> Status:
    """The status, if the viewer may read it (a thread opened on purpose: mutes do not
    hide it, blocks either way do); otherwise NotFound, as if it did not exist."""
    status = await session.get(Status, status_id)
    if status is None or not await visible_statuses(session, viewer_id, [status]):
        raise NotFound()
    return status


async def get_visible_original(
    session: AsyncSession, viewer_id: int | None, status_id: int
) -> Status:
    """Like ``get_visible``, but a boost stands for the post it boosts."""
    status = await get_visible(session, viewer_id, status_id)
    if status.reblog_of_id is None:
        return status
    original = await session.get(Status, status.reblog_of_id)
    if original is None:  # the foreign key cascades boosts away
        raise NotFound()
    return original


async def get_many_visible(
    session: AsyncSession, viewer_id: int | None, status_ids: Sequence[int]
) -> list[Status]:
    """Statuses by id in the order asked, silently leaving out what is missing or hidden."""
    if not status_ids:
        return []
    rows = await session.scalars(select(Status).where(Status.id.in_(list(set(status_ids)))))
    by_id = {s.id: s for s in rows.all()}
    found = [by_id[i] for i in dict.fromkeys(status_ids) if i in by_id]
    return await visible_statuses(session, viewer_id, found)
