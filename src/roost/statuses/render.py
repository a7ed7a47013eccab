"""The Mastodon Status entity, rendered for a whole page in a fixed number of queries.

What a post says comes from the status cache (cache.py); what changes is read
fresh here for every page: the counts (which also tell which posts still exist),
the authors' accounts, and whether the viewer favourited or boosted each post.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement, Select, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from roost.filters.applied import apply_filters
from roost.statuses.cache import Core
from roost.statuses.models import Favourite, Status

if TYPE_CHECKING:
    from roost.core.versions import Watch
    from roost.runtime import Runtime


class HasId(Protocol):
    @property
    def id(self) -> int: ...


async def load_statuses(session: AsyncSession, ids: Iterable[int]) -> dict[int, Status]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Status).where(Status.id.in_(wanted)))
    return {status.id: status for status in rows.all()}


async def load_originals(session: AsyncSession, statuses: Iterable[Status]) -> dict[int, Status]:
    """The posts that boosts among ``statuses`` point at, by id."""
    return await load_statuses(
        session, (s.reblog_of_id for s in statuses if s.reblog_of_id is not None)
    )


async def render_statuses(
    session: AsyncSession,
    statuses: Sequence[HasId],
    viewer_id: int | None,
    *,
    runtime: Runtime,
    context: str | None = None,
) -> list[dict[str, Any]]:
    """Render statuses the viewer may see (filter with ``visibility`` first), in order;
    one deleted meanwhile is left out. ``runtime`` holds the status and account caches;
    ``context`` is where they are shown, for the viewer's filters (``render_cores``)."""
    if not statuses:
        return []
    cores = await runtime.statuses.load(session, (s.id for s in statuses))
    return await render_cores(
        session,
        [cores[s.id] for s in statuses if s.id in cores],
        viewer_id,
        cores,
        runtime=runtime,
        context=context,
    )


async def render_cores(
    session: AsyncSession,
    statuses: Sequence[Core],
    viewer_id: int | None,
    cores: dict[int, Core],
    *,
    runtime: Runtime,
    watch: Watch | None = None,
    context: str | None = None,
) -> list[dict[str, Any]]:
    """Render ``statuses``; ``cores`` must hold the originals of the boosts among them.
    ``watch`` collects the versions of the authors' accounts (timelines/page_cache.py).
    Given the ``context`` they are shown in (a Mastodon filter context: home, public,
    thread, account, notifications), the viewer's filters apply (filters/applied.py)."""
    if not statuses:
        return []
    every = {c.id: c for c in statuses}
    every |= {c.reblog_of_id: cores[c.reblog_of_id] for c in statuses if c.reblog_of_id in cores}
    query = LIVE_FIELDS[viewer_id is not None]
    rows = await session.execute(query, {"viewer": viewer_id, "ids": list(every)})
    live = {row[0]: row[1:] for row in rows}
    accounts = await runtime.accounts.rendered(
        session, (c.account_id for c in every.values()), watch=watch
    )

    def one(core: Core) -> dict[str, Any] | None:
        fields = live.get(core.id)
        author = accounts.get(core.account_id)
        if fields is None or author is None:
            return None  # deleted since it was listed
        reblog = None
        if core.reblog_of_id is not None:
            original = every.get(core.reblog_of_id)
            reblog = one(original) if original is not None else None
            if reblog is None:
                return None
        return {
            **core.body,
            "account": author,
            "reblog": reblog,
            "replies_count": fields[0],
            "reblogs_count": fields[1],
            "favourites_count": fields[2],
            "favourited": bool(fields[3]),
            "reblogged": bool(fields[4]),
        }

    items = [item for item in map(one, statuses) if item is not None]
    if context is None or viewer_id is None:
        return items
    return await apply_filters(
        session, items, runtime=runtime, viewer_id=viewer_id, context=context, watch=watch
    )


def _live_fields(viewer: bool) -> Select[int, int, int, int, bool, bool]:
    """What changes about statuses ``ids``, in one query: the counts (a missing row is a
    deleted status) and whether ``viewer`` favourited and boosted each."""
    favourited: ColumnElement[bool] = literal(False)
    reblogged: ColumnElement[bool] = literal(False)
    if viewer:
        boost = aliased(Status)
        favourited = exists().where(
            Favourite.account_id == bindparam("viewer"), Favourite.status_id == Status.id
        )
        reblogged = exists().where(
            boost.account_id == bindparam("viewer"), boost.reblog_of_id == Status.id
        )
    return select(
        Status.id,
        Status.replies_count,
        Status.reblogs_count,
        Status.favourites_count,
        favourited,
        reblogged,
    ).where(Status.id.in_(bindparam("ids", expanding=True)))


# Built once (every page runs one): building costs more than running.
LIVE_FIELDS = {viewer: _live_fields(viewer) for viewer in (True, False)}
