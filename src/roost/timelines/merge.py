"""The read-time merge (hybrid fan-out): the posts of followed accounts too big to fan
out to are brought into a home or list timeline when its owner reads it, by the one
rule of recipients.py and through the store's own cursor, so the exactly-once property holds
for them as for any delivery.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.ids import id_to_unix_ms, lowest_id_at
from roost.statuses.models import Status
from roost.timelines.recipients import deliveries_of, home_statuses, list_statuses
from roost.timelines.store import MergeMark

if TYPE_CHECKING:
    from roost.runtime import Runtime

# A big account's post committing this long after a newer one was merged is still found.
MERGE_WINDOW_MS = 60_000
MERGE_FIRST = 40


async def merge_big_accounts(
    runtime: Runtime,
    session: AsyncSession,
    owner_id: int,
    big: Sequence[int],
    *,
    list_id: int | None = None,
) -> dict[int, str | None]:
    """Bring in what followed big accounts posted since
    the last read. An account whose posting token has not changed since the last merge
    has committed nothing since: it costs no query. Returns the tokens merged up to.
    With ``list_id``: into that list's timeline (``big`` are its big members)."""
    if not big:
        return {}
    store = runtime.timelines if list_id is None else runtime.list_timelines
    timeline = owner_id if list_id is None else list_id
    state = await store.merge_state(timeline, list(big))
    for author in big:
        mark, token = state[author]
        if mark is not None and token is not None and mark.token == token:
            continue
        query = (
            home_statuses(owner_id, author_id=author)
            if list_id is None
            else list_statuses(list_id, owner_id, author_id=author)
        )
        if mark is None or not mark.newest:
            rows = list(
                (await session.execute(query.order_by(Status.id.desc()).limit(MERGE_FIRST))).all()
            )
            rows.reverse()
        else:
            floor = lowest_id_at(id_to_unix_ms(mark.newest) - MERGE_WINDOW_MS)
            rows = list(
                (await session.execute(query.where(Status.id > floor).order_by(Status.id))).all()
            )
        await store.deliver_each(timeline, await deliveries_of(session, author, rows))
        newest = max([r[0] for r in rows] + ([mark.newest] if mark else []), default=0)
        await store.set_merge_mark(timeline, author, MergeMark(newest, token))
    return {author: token for author, (_, token) in state.items()}
