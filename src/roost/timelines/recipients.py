"""Who receives a status in a timeline: the one rule, for home and for lists.

Every path that puts a status into a home or list timeline asks this module: fan-out
on write (``recipients_query``, ``list_recipients_query``), the rebuild from SQL
(``home_statuses``, ``list_statuses``), the read-time merge of big accounts and the
back-fill after a follow or a tag follow (the same, narrowed), and the user stream
deciding whether a big account's post is the owner's (``admits``). The rule is written
once, as SQL conditions on ``Status`` for one owner (``home_admits``) or one list
(``list_admits``), so the same timeline comes out whichever path built it.

A status enters the home timeline of ``owner`` when
- the owner wrote it (posts, replies, boosts, every visibility); or, nobody being
  shut out (blocks either way, or a mute by the owner, of its author or, for a boost,
  of the boosted author), and its author (for a boost, the booster) not being a
  member of one of the owner's ``exclusive`` lists:
- it is ``private`` or ``direct`` and mentions the owner; or
- it is ``public``, ``unlisted`` or ``private``, the owner follows its author, and
  - a boost only if the owner shows that person's boosts;
  - a reply to someone else only if the owner is that someone or follows them;
- or it is a ``public`` post (not a boost) carrying a hashtag the owner follows;
- but never a boost of the owner's own post.

A status enters list ``L`` of ``owner`` when the "follows its author" branch above
admits it for the owner (nobody shut out, exclusive or not), its author (for a boost,
the booster) is a member of ``L``, and a reply to someone else (not the owner) is one
the list's ``replies_policy`` shows: ``followed`` (anyone the owner follows, which the
home branch already asks), ``list`` (a member of ``L``) or ``none``.

Accounts with more than ``fanout_limit`` followers are not fanned out to their
followers or to lists: readers merge their posts in by the same rule at read time.
Followers of a hashtag get its posts by fan-out whatever the author's size.
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
from roost.lists.models import List, ListAccount
from roost.statuses.models import Mention, Status, StatusTag
from roost.tags.models import TagFollow
from roost.timelines.store import Delivery

Owner = ColumnElement[int]

_original = aliased(Status)


def _shut_out(owner: Owner, author: AccountColumn) -> ColumnElement[bool]:
    """The owner and ``author`` block each other (either way), or the owner mutes them."""
    return or_(~not_blocked_either_way(owner, author), mutes(owner, author))


def _boosted_author() -> ColumnElement[int]:
    return (
        select(_original.account_id)
        .where(_original.id == Status.reblog_of_id)
        .correlate(Status)
        .scalar_subquery()
    )


def _not_shut_out(owner: Owner) -> ColumnElement[bool]:
    """Neither the author nor, for a boost, the boosted author is shut out."""
    return and_(
        ~_shut_out(owner, Status.account_id),
        or_(Status.reblog_of_id.is_(None), ~_shut_out(owner, _boosted_author())),
    )


def _not_own_boost(owner: Owner) -> ColumnElement[bool]:
    # Nobody needs a boost of their own post in their own timeline.
    return ~and_(Status.reblog_of_id.is_not(None), _boosted_author() == owner)


def _followed(owner: Owner) -> ColumnElement[bool]:
    """The owner follows the author (and shows their boosts, for a boost), and a reply
    to someone else is to the owner or to someone the owner follows."""
    return and_(
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


def _tagged_for(owner: Owner) -> ColumnElement[bool]:
    """A public post (not a boost) carrying a hashtag the owner follows."""
    return and_(
        Status.visibility == "public",
        Status.reblog_of_id.is_(None),
        exists().where(
            StatusTag.status_id == Status.id,
            TagFollow.tag_id == StatusTag.tag_id,
            TagFollow.account_id == owner,
        ),
    )


def _in_exclusive_list(owner: Owner, member: AccountColumn) -> ColumnElement[bool]:
    """``member`` is in one of the owner's exclusive lists."""
    return exists().where(
        List.account_id == owner,
        List.exclusive.is_(True),
        ListAccount.list_id == List.id,
        ListAccount.account_id == member,
    )


def home_admits(owner: Owner) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the status belongs in ``owner``'s home timeline."""
    mentioned = and_(
        Status.visibility.in_(("private", "direct")),
        exists().where(Mention.status_id == Status.id, Mention.account_id == owner),
    )
    return and_(
        _not_own_boost(owner),
        or_(
            Status.account_id == owner,
            and_(
                _not_shut_out(owner),
                ~_in_exclusive_list(owner, Status.account_id),
                or_(mentioned, _followed(owner), _tagged_for(owner)),
            ),
        ),
    )


_member = aliased(ListAccount)


def _replies_shown(owner: Owner) -> ColumnElement[bool]:
    """A reply to someone else than its author and the owner only as the list's
    ``replies_policy`` says (``followed`` is already asked by ``_followed``)."""
    return or_(
        Status.in_reply_to_account_id.is_(None),
        Status.in_reply_to_account_id == Status.account_id,
        Status.in_reply_to_account_id == owner,
        List.replies_policy == "followed",
        and_(
            List.replies_policy == "list",
            exists()
            .where(
                _member.list_id == List.id,
                _member.account_id == Status.in_reply_to_account_id,
            )
            .correlate_except(_member),  # the status and list of the enclosing queries
        ),
    )


def list_admits(list_id: int, owner_id: int) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the status belongs in list ``list_id`` of
    ``owner_id``: the home rule's "follows its author" branch, for a member, with the
    list's replies policy."""
    owner = literal(owner_id)
    in_list = exists().where(
        List.id == list_id,
        ListAccount.list_id == List.id,
        ListAccount.account_id == Status.account_id,
        _replies_shown(owner),
    )
    return and_(
        Status.account_id != owner,
        _not_own_boost(owner),
        _not_shut_out(owner),
        _followed(owner),
        in_list,
    )


def home_statuses(
    owner_id: int, *, author_id: int | None = None, tag_id: int | None = None
) -> Select[int, int | None]:
    """``(id, reblog_of_id)`` of the statuses in the owner's home timeline by the rule,
    optionally of one author or with one tag; the caller orders and limits."""
    owner = literal(owner_id)
    query = select(Status.id, Status.reblog_of_id)
    if author_id is not None:
        query = query.where(Status.account_id == author_id)
    if tag_id is not None:
        tagged = select(StatusTag.status_id).where(StatusTag.tag_id == tag_id)
        query = query.where(Status.id.in_(tagged))
    if author_id is None and tag_id is None:
        # An index-friendly superset first: own, followed, mentioning the owner, or
        # carrying a followed tag.
        followees = followed_by(owner_id)
        mentions = select(Mention.status_id).where(Mention.account_id == owner_id)
        tagged = select(StatusTag.status_id).where(
            StatusTag.tag_id.in_(select(TagFollow.tag_id).where(TagFollow.account_id == owner_id))
        )
        query = query.where(
            or_(
                Status.account_id == owner_id,
                Status.account_id.in_(followees),
                Status.id.in_(mentions),
                Status.id.in_(tagged),
            )
        )
    return query.where(home_admits(owner))


def list_statuses(
    list_id: int, owner_id: int, *, author_id: int | None = None
) -> Select[int, int | None]:
    """``(id, reblog_of_id)`` of the statuses in a list timeline by the rule,
    optionally of one author; the caller orders and limits."""
    members = select(ListAccount.account_id).where(ListAccount.list_id == list_id)
    query = select(Status.id, Status.reblog_of_id).where(Status.account_id.in_(members))
    if author_id is not None:
        query = query.where(Status.account_id == author_id)
    return query.where(list_admits(list_id, owner_id))


def _followers_admitted(status: Status) -> Select[int]:
    """The followers of the author whose "follows its author" branch admits ``status``
    (before anyone is shut out): ``_followed`` turned around."""
    author = status.account_id
    readers = followers_of(author, boosts_shown=status.reblog_of_id is not None)
    replied_to = status.in_reply_to_account_id
    if replied_to not in (None, author):
        reader = readers.selected_columns[0]
        readers = readers.where(or_(reader == replied_to, reader.in_(followers_of(replied_to))))
    return readers


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
        admitted.append(_followers_admitted(status))
    if status.visibility == "public" and status.reblog_of_id is None:
        admitted.append(
            select(TagFollow.account_id).where(
                TagFollow.tag_id.in_(
                    select(StatusTag.tag_id).where(StatusTag.status_id == status.id)
                )
            )
        )
    own = select(literal(author))
    if boosted_author == author:
        own = own.where(false())
    if not admitted:
        return own
    candidates = union_all(*admitted).subquery()
    owner = candidates.c[0]
    shut_out = shut_out_from([author] if boosted_author is None else [author, boosted_author])
    exclusive = (
        select(List.account_id)
        .join(ListAccount, ListAccount.list_id == List.id)
        .where(ListAccount.account_id == author, List.exclusive.is_(True))
    )
    others = select(owner).where(owner != author, owner.not_in(shut_out), owner.not_in(exclusive))
    if boosted_author is not None:
        others = others.where(owner != boosted_author)
    return union_all(own, others)  # may name someone twice: callers take the set


def list_recipients_query(status: Status, *, boosted_author: int | None = None) -> Select[int]:
    """The lists whose timelines receive ``status`` (fan-out on write): ``list_admits``
    turned around. Not for big accounts (merged at read time, as for home)."""
    author = status.account_id
    if status.visibility not in ("public", "unlisted", "private"):
        return select(List.id).where(false())
    shut_out = shut_out_from([author] if boosted_author is None else [author, boosted_author])
    query = (
        select(List.id)
        .join(ListAccount, ListAccount.list_id == List.id)
        .where(
            ListAccount.account_id == author,
            List.account_id.in_(_followers_admitted(status)),
            List.account_id.not_in(shut_out),
        )
    )
    if boosted_author is not None:
        query = query.where(List.account_id != boosted_author)
    replied_to = status.in_reply_to_account_id
    if replied_to not in (None, author):
        query = query.where(
            or_(
                List.account_id == replied_to,
                List.replies_policy == "followed",
                and_(
                    List.replies_policy == "list",
                    exists().where(_member.list_id == List.id, _member.account_id == replied_to),
                ),
            )
        )
    return query


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
