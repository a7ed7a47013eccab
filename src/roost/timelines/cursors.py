"""Timeline cursors: every entry of a timeline carries its own ``seq``.

Why entries carry their own cursor (``seq``) instead of being ordered by status id
------------------------------------------------------------------------------
A status id is taken when the post is created, but the post becomes visible in a
follower's timeline later, when its delivery commits. Two posts created in one
order can commit in the other, and a delivery can be held back by a slow
worker. A client that polls with ``min_id=<newest id it saw>`` then skips any
post that became visible after its poll but carries a smaller id: the bug of
Mastodon issues #3473, #5228, #7666, #20090.

So each delivery takes the next ``seq`` of its timeline *inside the transaction
that inserts it*, under that timeline's head row (``home_feeds``), which the
database locks until commit. Entries of one timeline therefore become visible in
``seq`` order, and a reader that has seen every entry up to ``seq = s`` will see
every later one with a larger ``seq``: polling with ``min_id`` and paging with
``max_id`` together return each entry exactly once.

``seq`` values are microseconds since the Roost epoch (or last + 1 when two
deliveries fall in one microsecond). They stay below 2**53, so they are exact
as Redis scores, and they never collide with status ids (always >= 2**53), so
a client that sends a status id as ``max_id`` can be recognised and served (see
``cursor_for``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from roost.core.ids import ROOST_EPOCH_MS, id_to_unix_ms

if TYPE_CHECKING:
    from roost.timelines.store import Pages

STATUS_ID_FLOOR = 1 << 53


def now_seq() -> int:
    return time.time_ns() // 1000 - ROOST_EPOCH_MS * 1000


def seq_at_status(status_id: int) -> int:
    """The cursor of the moment a status id was taken: for ids not in a timeline."""
    return (id_to_unix_ms(status_id) - ROOST_EPOCH_MS) * 1000


async def cursor_for(store: Pages, owner_id: int, value: int | None) -> int | None:
    """A paging parameter as a ``seq``: cursors pass through; a status id becomes the
    cursor of its entry in this timeline, or of the moment it was created."""
    if value is None or value < STATUS_ID_FLOOR:
        return value
    seq = await store.seq_of(owner_id, value)
    return seq if seq is not None else seq_at_status(value)
