"""Filling a home timeline outside fan-out: rebuilding it from SQL when it is not
live (never read, idle past its TTL, or the cache lost), and merging in, at read
time, the posts of followed accounts too big to fan out to (hybrid fan-out).

Both go through the store's own cursor, so what they add becomes visible in the
same order as any delivery and the exactly-once property holds for them too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.ids import id_to_unix_ms, lowest_id_at
from roost.follows.models import Follow
from roost.statuses.models import Mention, Status
from roost.statuses.visibility import visible_to
from roost.timelines.store import Delivery, Fill, MergeMark, seq_at_status

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
        await store.fill(owner_id, await _home_from_sql(runtime, owner_id))


async def _home_from_sql(runtime: Runtime, owner_id: int) -> list[Fill]:
    followees = select(Follow.target_account_id).where(Follow.account_id == owner_id)
    hidden_boosts = followees.where(Follow.show_reblogs.is_(False))
    mentioned = exists().where(Mention.status_id == Status.id, Mention.account_id == owner_id)
    query = (
        select(Status.id, Status.reblog_of_id)
        .where(
            or_(
                and_(
                    or_(Status.account_id == owner_id, Status.account_id.in_(followees)),
                    visible_to(owner_id),
                    or_(
                        Status.in_reply_to_account_id.is_(None),
                        Status.in_reply_to_account_id == Status.account_id,
                        Status.in_reply_to_account_id == owner_id,
                        Status.in_reply_to_account_id.in_(followees),
                    ),
                    or_(Status.reblog_of_id.is_(None), Status.account_id.not_in(hidden_boosts)),
                ),
                and_(Status.visibility == "direct", mentioned),
            )
        )
        .order_by(Status.id.desc())
        .limit(runtime.settings.timeline_cap)
    )
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
    runtime: Runtime, session: AsyncSession, owner_id: int, big: Sequence[tuple[int, bool]]
) -> dict[int, str | None]:
    """Bring in what followed big accounts (``(account id, show boosts)``) posted since
    the last read. An account whose posting token has not changed since the last merge
    has committed nothing since: it costs no query. Returns the tokens merged up to."""
    if not big:
        return {}
    store = runtime.timelines
    state = await store.merge_state(owner_id, [author for author, _ in big])
    for author, show_reblogs in big:
        mark, token = state[author]
        if mark is not None and token is not None and mark.token == token:
            continue
        query = _merged(owner_id, author, show_reblogs)
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
        originals = await _authors_of(session, [r[1] for r in rows if r[1] is not None])
        await store.deliver_each(
            owner_id,
            [
                Delivery(
                    status_id=status_id,
                    author_id=author,
                    reblog_of_id=reblog_of_id,
                    reblog_of_author_id=originals.get(reblog_of_id) if reblog_of_id else None,
                )
                for status_id, reblog_of_id in rows
            ],
        )
        newest = max([r[0] for r in rows] + ([mark.newest] if mark else []), default=0)
        await store.set_merge_mark(owner_id, author, MergeMark(newest, token))
    return {author: token for author, (_, token) in state.items()}


def _merged(owner_id: int, author_id: int, show_reblogs: bool) -> Select[int, int | None]:
    """The author's posts the read-time merge brings into the owner's home timeline:
    what a fan-out would have delivered (fanout.py), the owner following the author."""
    followees = select(Follow.target_account_id).where(Follow.account_id == owner_id)
    query = select(Status.id, Status.reblog_of_id).where(
        Status.account_id == author_id,
        Status.visibility.in_(("public", "unlisted", "private")),
        or_(
            Status.in_reply_to_account_id.is_(None),
            Status.in_reply_to_account_id == author_id,
            Status.in_reply_to_account_id == owner_id,
            Status.in_reply_to_account_id.in_(followees),
        ),
    )
    return query if show_reblogs else query.where(Status.reblog_of_id.is_(None))


async def merges_into_home(session: AsyncSession, owner_id: int, status: Status) -> bool:
    """Whether a post of a big account belongs in the owner's home timeline, by the
    rules of the read-time merge (for the owner's ``user`` stream)."""
    show_reblogs = await session.scalar(
        select(Follow.show_reblogs).where(
            Follow.account_id == owner_id, Follow.target_account_id == status.account_id
        )
    )
    if show_reblogs is None:  # not (or no longer) following
        return False
    query = _merged(owner_id, status.account_id, show_reblogs).where(Status.id == status.id)
    return (await session.execute(query)).first() is not None


async def _authors_of(session: AsyncSession, status_ids: list[int]) -> dict[int, int]:
    if not status_ids:
        return {}
    rows = await session.execute(
        select(Status.id, Status.account_id).where(Status.id.in_(status_ids))
    )
    return {status_id: author for status_id, author in rows.all()}
