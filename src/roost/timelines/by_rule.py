"""Home and list timelines read straight from SQL by the rule, when their store cannot
answer (Redis unreachable, core/breaker.py): slower, never kept, the same posts.

A page is what recipients.py's ``home_statuses`` or ``list_statuses`` admit, newest
first, one appearance per post (rebuild.py's ``one_appearance``, as a rebuild fills
the store): a boost is left out when its original, or an earlier boost of it, is in
the timeline before it. Big accounts need no read-time merge: the rule admits their
posts like anyone's.

Cursors are status ids (the entries' ``seq`` is their status id). A cursor the store
handed out (a ``seq``, below ``STATUS_ID_FLOOR``) is read as the moment it stands
for; the status ids handed out here are taken back by the store once Redis returns
(``cursors.cursor_for``). The price, while Redis is away: paging by status id has the
weakness cursors.py describes (a client polling just as a post commits, its id taken
a few milliseconds before, can page past it: it is in the timeline, below the
client's cursor), and across the switch a client may see a post again.
"""

from __future__ import annotations

from sqlalchemy import Select, or_
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.ids import ROOST_EPOCH_MS, lowest_id_at
from roost.core.paging import Window
from roost.statuses.models import Status
from roost.timelines.cursors import STATUS_ID_FLOOR
from roost.timelines.rebuild import one_appearance
from roost.timelines.store import Entry


class RuleTimeline:
    """One timeline: ``statuses`` is its rule's ``(id, reblog_of_id)`` query."""

    def __init__(self, session: AsyncSession, statuses: Select[int, int | None]) -> None:
        self.session = session  # the reader's own
        self.statuses = statuses

    async def page(
        self,
        owner_id: int,
        *,
        max_seq: int | None = None,
        since_seq: int | None = None,
        min_seq: int | None = None,
        limit: int = 20,
    ) -> list[Entry]:
        """As ``TimelineStore.page`` (``owner_id`` is this timeline's already)."""
        window = Window(_as_id(max_seq), _as_id(since_seq), _as_id(min_seq), limit)
        read = await self.session.execute(window.bound(self.statuses, Status.id))
        rows = window.newest_first(read.all())
        boosted = {original for _, original in rows if original is not None}
        shown: set[int] = set()
        if boosted:  # the originals the timeline shows before this page
            earlier = await self.session.execute(
                self.statuses.where(
                    Status.id < rows[-1][0],
                    or_(Status.id.in_(boosted), Status.reblog_of_id.in_(boosted)),
                )
            )
            shown = {original or status_id for status_id, original in earlier.all()}
        kept = one_appearance(reversed(rows), shown)
        return [Entry(seq=status_id, status_id=status_id) for status_id, _ in reversed(kept)]

    async def seq_of(self, owner_id: int, status_id: int) -> int | None:
        return status_id  # this timeline's cursors are status ids


def _as_id(cursor: int | None) -> int | None:
    """A cursor as a status id: a store's ``seq`` as the lowest id of its millisecond."""
    if cursor is None or cursor >= STATUS_ID_FLOOR:
        return cursor
    return lowest_id_at(cursor // 1000 + ROOST_EPOCH_MS)
