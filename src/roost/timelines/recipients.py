"""Who receives a status in their home timeline: the one rule.

Every path that puts a status into a home timeline asks this module: fan-out on
write (``recipients``), the rebuild from SQL (``home_statuses``), the read-time merge
of big accounts and the back-fill after a follow (``home_statuses`` narrowed to one
author), and the user stream deciding whether a big account's post is the owner's
(``admits``). The rule is written once, as a SQL condition on ``Status`` for one
owner (``home_admits``), so the same timeline comes out whichever path built it.

A status enters the home timeline of ``owner`` when
- the owner wrote it (posts, replies, boosts, every visibility); or, nobody being
  shut out (blocks either way, or a mute by the owner, of its author or, for a boost,
  of the boosted author):
- it is ``private`` or ``direct`` and mentions the owner; or
- it is ``public``, ``unlisted`` or ``private``, the owner follows its author, and
  - a boost only if the owner shows that person's boosts;
  - a reply to someone else only if the owner is that someone or follows them;
- but never a boost of the owner's own post.

Accounts with more than ``fanout_limit`` followers are not fanned out to their
followers: readers merge their posts in by the same rule at read time.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Row,
    Select,
    and_,
    exists,
    false,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from roost.follows.relations import (
    AccountColumn,
    followed_by,
    followers_of,
    follows,
    mutes,
    not_blocked_either_way,
    shut_out_from,
)
from roost.statuses.models import Mention, Status
from roost.timelines.store import Delivery

Owner = ColumnElement[int]

_original = aliased(Status)


def _shut_out(owner: Owner, author: AccountColumn) -> ColumnElement[bool]:
    """The owner and ``author`` block each other (either way), or the owner mutes them."""
    return or_(~not_blocked_either_way(owner, author), mutes(owner, author))


def home_admits(owner: Owner) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the status belongs in ``owner``'s home timeline."""
    boosted_author = (
        select(_original.account_id)
        .where(_original.id == Status.reblog_of_id)
        .correlate(Status)
        .scalar_subquery()
    )
    mentioned = and_(
        Status.visibility.in_(("private", "direct")),
        exists().where(Mention.status_id == Status.id, Mention.account_id == owner),
    )
    following = and_(
        Status.visibility.in_(("public", "unlisted", "private")),
        or_(
            and_(Status.reblog_of_id.is_(None), follows(owner, Status.account_id)),
            and_(
                Status.reblog_of_id.is_not(None),
                follows(owner, Status.account_id, boosts_shown=True),
            ),
        ),
        or_(
            Status.in_reply_to_account_id.is_(None),
            Status.in_reply_to_account_id == Status.account_id,
            Status.in_reply_to_account_id == owner,
            follows(owner, Status.in_reply_to_account_id),
        ),
    )
    # Nobody needs a boost of their own post in their own timeline.
    own_boosted = and_(Status.reblog_of_id.is_not(None), boosted_author == owner)
    return and_(
        ~own_boosted,
        or_(
            Status.account_id == owner,
            and_(
                ~_shut_out(owner, Status.account_id),
                or_(Status.reblog_of_id.is_(None), ~_shut_out(owner, boosted_author)),
                or_(mentioned, following),
            ),
        ),
    )


def home_statuses(owner_id: int, *, author_id: int | None = None) -> Select[int, int | None]:
    """``(id, reblog_of_id)`` of the statuses in the owner's home timeline by the rule,
    optionally of one author; the caller orders and limits."""
    owner = literal(owner_id)
    query = select(Status.id, Status.reblog_of_id)
    if author_id is not None:
        query = query.where(Status.account_id == author_id)
    else:  # an index-friendly superset first: own, followed, or mentioning the owner
        followees = followed_by(owner_id)
        mentions = select(Mention.status_id).where(Mention.account_id == owner_id)
        query = query.where(
            or_(
                Status.account_id == owner_id,
                Status.account_id.in_(followees),
                Status.id.in_(mentions),
            )
        )
    return query.where(home_admits(owner))


def recipients_query(
    status: Status, *, boosted_author: int | None = None, followers: bool = True
) -> CompoundSelect[int] | Select[int]:
    """The owners whose home timelines receive ``status`` (fan-out on write):
    ``home_admits`` turned around, from one status to its owners. It has its own
    shape because ``home_admits`` with the owner as a column costs an index probe per
    follower and relation (~6 ms per 1,000 followers on PostgreSQL), where this reads
    each relation of the author once; tests/timelines/test_recipients.py holds the two
    to the same timelines."""
    author = status.account_id
    admitted: list[Select[int]] = []
    if status.visibility in ("private", "direct"):
        admitted.append(select(Mention.account_id).where(Mention.status_id == status.id))
    if followers and status.visibility in ("public", "unlisted", "private"):
        readers = followers_of(author, boosts_shown=status.reblog_of_id is not None)
        replied_to = status.in_reply_to_account_id
        if replied_to not in (None, author):
            reader = readers.selected_columns[0]
            readers = readers.where(or_(reader == replied_to, reader.in_(followers_of(replied_to))))
        admitted.append(readers)
    own = select(literal(author))
    if boosted_author == author:
        own = own.where(false())
    if not admitted:
        return own
    candidates = union_all(*admitted).subquery()
    owner = candidates.c[0]
    shut_out = shut_out_from([author] if boosted_author is None else [author, boosted_author])
    others = select(owner).where(owner != author, owner.not_in(shut_out))
    if boosted_author is not None:
        others = others.where(owner != boosted_author)
    return union_all(own, others)  # may name someone twice: callers take the set


async def admits(session: AsyncSession, owner_id: int, status_id: int) -> bool:
    """Whether one status belongs in the owner's home timeline (the user stream)."""
    query = select(Status.id).where(Status.id == status_id, home_admits(literal(owner_id)))
    return (await session.execute(query)).first() is not None


async def deliveries_of(
    session: AsyncSession, author_id: int, rows: Iterable[Row[int, int | None]]
) -> list[Delivery]:
    """``(status id, reblog_of_id)`` rows of one author as deliveries, in order."""
    rows = list(rows)
    boosted = [r[1] for r in rows if r[1] is not None]
    originals: dict[int, int] = {}
    if boosted:
        found = await session.execute(
            select(Status.id, Status.account_id).where(Status.id.in_(boosted))
        )
        originals = {status_id: author for status_id, author in found.all()}
    return [
        Delivery(
            status_id=status_id,
            author_id=author_id,
            reblog_of_id=reblog_of_id,
            reblog_of_author_id=originals.get(reblog_of_id) if reblog_of_id else None,
        )
        for status_id, reblog_of_id in rows
    ]
