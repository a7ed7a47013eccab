"""Filling a home timeline outside fan-out: rebuilding it from SQL when it is not
live (never read, idle past its TTL, or the cache lost), and merging in, at read
time, the posts of followed accounts too big to fan out to (hybrid fan-out).

Both go through the store's own cursor, so what they add becomes visible in the
same order as any delivery and the exactly-once property holds for them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.ids import id_to_unix_ms, lowest_id_at
from roost.statuses.models import Status
from roost.timelines.recipients import deliveries_of, home_statuses
from roost.timelines.store import Fill, MergeMark, seq_at_status

if TYPE_CHECKING:
    from roost.runtime import Runtime

# Posts younger than this get fresh cursors when a timeline is rebuilt: a post whose
# delivery was still queued when the cache was lost must not fall behind a client's
# cursor. The price: after a cache loss a client may see the last minute again.
RECENT_MS = 60_000
# A big account's post committing this long after a newer one was merged is still found.
MERGE_WINDOW_MS = 60_000
MERGE_FIRST = 40


async def ensure_home(runtime: Runtime, owner_id: int) -> None:
    """Make the owner's timeline live, rebuilding it from SQL once if it is not."""
    store = runtime.timelines
    if await store.is_live(owner_id):
        return
    async with store.rebuild_lock(owner_id) as mine:
        if not mine and await store.is_live(owner_id):
            return  # another reader rebuilt it while we waited
        # Live first, so deliveries land while we read SQL; fill never overwrites them.
        await store.fill(owner_id, [])
        await store.fill(owner_id, await home_from_sql(runtime, owner_id))


async def home_from_sql(runtime: Runtime, owner_id: int) -> list[Fill]:
    query = home_statuses(owner_id).order_by(Status.id.desc()).limit(runtime.settings.timeline_cap)
    async with runtime.db.read() as session:
        rows = list((await session.execute(query)).all())
    recent_floor = lowest_id_at(id_to_unix_ms(max((r[0] for r in rows), default=0)) - RECENT_MS)
    fills: list[Fill] = []
    shown: set[int] = set()
    for status_id, reblog_of_id in reversed(rows):  # oldest first
        if reblog_of_id is not None and reblog_of_id in shown:
            continue  # one appearance per post, as in delivery
        shown.add(reblog_of_id or status_id)
        seq = None if status_id >= recent_floor else seq_at_status(status_id)
        fills.append(Fill(status_id=status_id, seq=seq, reblog_of_id=reblog_of_id))
    return fills


async def merge_big_accounts(
    runtime: Runtime, session: AsyncSession, owner_id: int, big: Sequence[int]
) -> dict[int, str | None]:
    """Bring in what followed big accounts posted since
    the last read. An account whose posting token has not changed since the last merge
    has committed nothing since: it costs no query. Returns the tokens merged up to."""
    if not big:
        return {}
    store = runtime.timelines
    state = await store.merge_state(owner_id, list(big))
    for author in big:
        mark, token = state[author]
        if mark is not None and token is not None and mark.token == token:
            continue
        query = home_statuses(owner_id, author_id=author)
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
        await store.deliver_each(owner_id, await deliveries_of(session, author, rows))
        newest = max([r[0] for r in rows] + ([mark.newest] if mark else []), default=0)
        await store.set_merge_mark(owner_id, author, MergeMark(newest, token))
    return {author: token for author, (_, token) in state.items()}
