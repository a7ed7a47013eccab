"""Who follows, blocks and mutes whom: the one reader of the follow graph's rows.

Every question another feature asks of follows, blocks and mutes is answered here
(Takahē's ``BlockQuerySet.active``), so a rule such as "a block works both ways" has
one home. The verbs that change the graph (and read the rows they are about to
change) are ``follows/service.py``; the paged lists of it are ``follows/lists.py``.
Who receives a post (``timelines/recipients.py``) builds its rule from the SQL
conditions here.

A mute with an end (``Mute.expires_at``) stops applying here the moment it ends,
whether or not the job that deletes its row (``follows/expiry.py``) has run yet:
every condition on ``Mute`` below carries ``mute_in_force``. Follow requests
(``FollowRequest``) are not follows: nothing here that answers "follows" reads them.

Answers come in two shapes: SQL conditions, to put in the caller's one query
(``not_blocked_either_way``, ``follows``), and loaded sets, for a policy applied in
Python (``load_relations``, ``load_home_relations``). Each loader is one statement.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.follows.models import AccountNote, Block, Follow, FollowRequest, Mute

AccountColumn = (
    ColumnElement[int]
    | ColumnElement[int | None]
    | InstrumentedAttribute[int]
    | InstrumentedAttribute[int | None]
)
# Whose relations: an account id, or a column (each candidate owner of a fan-out).
Someone = int | AccountColumn


@dataclass(frozen=True)
class Relations:
    """One account's relations with others: whom it follows, who is blocked either way
    between them, whom it mutes."""

    following: frozenset[int] = field(default_factory=frozenset)
    blocked: frozenset[int] = field(default_factory=frozenset)  # either direction
    muted: frozenset[int] = field(default_factory=frozenset)


def mute_in_force(now: Any = None) -> ColumnElement[bool]:
    """SQL condition on ``Mute``: it has not ended (no end, or an end still ahead).
    ``now`` may be a bound parameter, for statements built once."""
    return or_(Mute.expires_at.is_(None), Mute.expires_at > (utcnow() if now is None else now))


def not_blocked_either_way(viewer_id: Someone, account: AccountColumn) -> ColumnElement[bool]:
    """SQL condition: neither the viewer nor ``account`` blocks the other."""
    return and_(
        ~exists().where(Block.account_id == viewer_id, Block.target_account_id == account),
        ~exists().where(Block.account_id == account, Block.target_account_id == viewer_id),
    )


def follows(
    viewer_id: Someone, account: AccountColumn, *, boosts_shown: bool = False
) -> ColumnElement[bool]:
    """SQL condition: the viewer follows ``account`` (with ``boosts_shown``: and shows
    that account's boosts)."""
    condition = exists().where(Follow.account_id == viewer_id, Follow.target_account_id == account)
    if boosts_shown:
        condition = condition.where(Follow.show_reblogs.is_(True))
    return condition


def mutes(viewer_id: Someone, account: AccountColumn) -> ColumnElement[bool]:
    """SQL condition: the viewer mutes ``account``."""
    return exists().where(
        Mute.account_id == viewer_id, Mute.target_account_id == account, mute_in_force()
    )


def followers_of(account_id: int, *, boosts_shown: bool = False) -> Select[int]:
    """The ids of the account's followers (with ``boosts_shown``: those who show its
    boosts), to put in a query."""
    query = select(Follow.account_id).where(Follow.target_account_id == account_id)
    return query.where(Follow.show_reblogs.is_(True)) if boosts_shown else query


def subscribers_of(account_id: int) -> Select[int]:
    """The ids of the followers who rang the bell (``Follow.notify``) for the account's
    posts, but not those blocking, blocked by or muting it, to put in a query."""
    return followers_of(account_id).where(
        Follow.notify.is_(True), Follow.account_id.not_in(shut_out_from([account_id]))
    )


def followed_by(account_id: int) -> Select[int]:
    """The ids of the accounts this one follows, to put in a query."""
    return select(Follow.target_account_id).where(Follow.account_id == account_id)


def shut_out_from(account_ids: Collection[int]) -> CompoundSelect[int]:
    """The ids of everyone blocking, blocked by or muting any of these accounts, to put
    in a query: those who must not get their posts."""
    ids = list(account_ids)
    return union(
        select(Block.account_id).where(Block.target_account_id.in_(ids)),
        select(Block.target_account_id).where(Block.account_id.in_(ids)),
        select(Mute.account_id).where(Mute.target_account_id.in_(ids), mute_in_force()),
    )


async def blocks(session: AsyncSession, *, blocker: int, blocked: int) -> bool:
    """Whether ``blocker`` blocks ``blocked`` (one way)."""
    row = await session.scalar(
        select(Block.id).where(Block.account_id == blocker, Block.target_account_id == blocked)
    )
    return row is not None


async def blocked_either_way(session: AsyncSession, *, one: int, other: int) -> bool:
    """Whether either of two accounts blocks the other."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    or_(
                        and_(Block.account_id == one, Block.target_account_id == other),
                        and_(Block.account_id == other, Block.target_account_id == one),
                    )
                )
            )
        )
    )


async def mutes_notifications(session: AsyncSession, *, muter: int, muted: int) -> bool:
    """Whether ``muter`` mutes ``muted`` with their notifications hidden too."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Mute.account_id == muter,
                    Mute.target_account_id == muted,
                    Mute.hide_notifications.is_(True),
                    mute_in_force(),
                )
            )
        )
    )


async def blockers_of(session: AsyncSession, *, target: int, among: Collection[int]) -> set[int]:
    """Those of ``among`` who block ``target``."""
    rows = await session.scalars(
        select(Block.account_id).where(
            Block.target_account_id == target, Block.account_id.in_(list(among))
        )
    )
    return set(rows.all())


async def followed_among(
    session: AsyncSession, *, viewer_id: int, among: Collection[int]
) -> set[int]:
    """Those of ``among`` the viewer follows."""
    rows = await session.scalars(
        select(Follow.target_account_id).where(
            Follow.account_id == viewer_id, Follow.target_account_id.in_(list(among))
        )
    )
    return set(rows.all())


async def blocked_either_way_of(session: AsyncSession, viewer_id: int) -> set[int]:
    """Everyone the viewer blocks or is blocked by."""
    blocking = select(Block.target_account_id).where(Block.account_id == viewer_id)
    blocked_by = select(Block.account_id).where(Block.target_account_id == viewer_id)
    return set((await session.scalars(blocking.union(blocked_by))).all())


async def muting_notifications_of(session: AsyncSession, viewer_id: int) -> set[int]:
    """Everyone the viewer mutes with their notifications hidden."""
    rows = await session.scalars(
        select(Mute.target_account_id).where(
            Mute.account_id == viewer_id, Mute.hide_notifications.is_(True), mute_in_force()
        )
    )
    return set(rows.all())


async def load_relations(
    session: AsyncSession, viewer_id: int, among: Collection[int] | None = None
) -> Relations:
    """The viewer's relations, in one query; with ``among``, only those with these
    accounts (the authors of one thread)."""
    following, blocked, muted = range(3)
    always = literal(True)
    kinds = (  # (the other account, the viewer's side, what it makes them, and when)
        (Follow.target_account_id, Follow.account_id, following, always),
        (Block.target_account_id, Block.account_id, blocked, always),
        (Block.account_id, Block.target_account_id, blocked, always),
        (Mute.target_account_id, Mute.account_id, muted, mute_in_force()),
    )
    others = None if among is None else list(among)
    parts = []
    for other, viewer_side, kind, condition in kinds:
        part = select(other, literal(kind)).where(viewer_side == viewer_id, condition)
        parts.append(part if others is None else part.where(other.in_(others)))
    found: dict[int, set[int]] = {kind: set() for kind in range(3)}
    for account_id, kind in await session.execute(union_all(*parts)):
        found[kind].add(account_id)
    return Relations(
        following=frozenset(found[following]),
        blocked=frozenset(found[blocked]),
        muted=frozenset(found[muted]),
    )


BLOCKED, MUTED, BIG = range(3)
_owner: BindParameter[int] = bindparam("owner")
# Built once: a home read runs it every time, and building it costs more than running it.
HOME_RELATIONS = union_all(
    select(Block.target_account_id, literal(BLOCKED)).where(Block.account_id == _owner),
    select(Block.account_id, literal(BLOCKED)).where(Block.target_account_id == _owner),
    select(Mute.target_account_id, literal(MUTED)).where(
        Mute.account_id == _owner, mute_in_force(bindparam("now"))
    ),
    select(Follow.target_account_id, literal(BIG))
    .join(Account, Account.id == Follow.target_account_id)
    .where(Follow.account_id == _owner, Account.followers_count > bindparam("fanout_limit")),
)


async def load_home_relations(session: AsyncSession, owner: int, fanout_limit: int) -> Relations:
    """What a home read needs, in one query: whom the owner blocks or is blocked by,
    mutes, and the followed accounts too big to fan out (``following`` holds only
    those)."""
    rows = await session.execute(
        HOME_RELATIONS, {"owner": owner, "fanout_limit": fanout_limit, "now": utcnow()}
    )
    found: dict[int, set[int]] = {kind: set() for kind in range(3)}
    for account_id, kind in rows:
        found[kind].add(account_id)
    return Relations(
        following=frozenset(found[BIG]),
        blocked=frozenset(found[BLOCKED]),
        muted=frozenset(found[MUTED]),
    )


@dataclass(frozen=True)
class Graph:
    """The viewer's side of the Relationship entity with some accounts."""

    following: dict[int, tuple[bool, bool]]  # target: (show_reblogs, notify)
    followed_by: set[int]
    blocking: set[int]
    blocked_by: set[int]
    muting: dict[int, bool]  # target: hide_notifications
    requested: dict[int, tuple[bool, bool]]  # asked to follow: (show_reblogs, notify)
    requested_by: set[int]  # they asked to follow the viewer
    notes: dict[int, str]  # the viewer's private note on them


async def load_graph(session: AsyncSession, *, viewer_id: int, ids: Collection[int]) -> Graph:
    """How the viewer relates to each of ``ids``, both ways (eight statements)."""
    wanted = list(ids)

    async def pairs(query: Any) -> dict[Any, Any]:
        return {row[0]: tuple(row[1:]) for row in await session.execute(query)}

    following = await pairs(
        select(Follow.target_account_id, Follow.show_reblogs, Follow.notify).where(
            Follow.account_id == viewer_id, Follow.target_account_id.in_(wanted)
        )
    )
    followed_by = await session.scalars(
        select(Follow.account_id).where(
            Follow.target_account_id == viewer_id, Follow.account_id.in_(wanted)
        )
    )
    blocking = await session.scalars(
        select(Block.target_account_id).where(
            Block.account_id == viewer_id, Block.target_account_id.in_(wanted)
        )
    )
    blocked_by = await session.scalars(
        select(Block.account_id).where(
            Block.target_account_id == viewer_id, Block.account_id.in_(wanted)
        )
    )
    muting = await pairs(
        select(Mute.target_account_id, Mute.hide_notifications).where(
            Mute.account_id == viewer_id, Mute.target_account_id.in_(wanted), mute_in_force()
        )
    )
    requested = await pairs(
        select(
            FollowRequest.target_account_id, FollowRequest.show_reblogs, FollowRequest.notify
        ).where(FollowRequest.account_id == viewer_id, FollowRequest.target_account_id.in_(wanted))
    )
    requested_by = await session.scalars(
        select(FollowRequest.account_id).where(
            FollowRequest.target_account_id == viewer_id, FollowRequest.account_id.in_(wanted)
        )
    )
    notes = await pairs(
        select(AccountNote.target_account_id, AccountNote.comment).where(
            AccountNote.account_id == viewer_id, AccountNote.target_account_id.in_(wanted)
        )
    )
    return Graph(
        following=following,
        followed_by=set(followed_by.all()),
        blocking=set(blocking.all()),
        blocked_by=set(blocked_by.all()),
        muting={target: hide for target, (hide,) in muting.items()},
        requested=requested,
        requested_by=set(requested_by.all()),
        notes={target: comment for target, (comment,) in notes.items()},
    )


def followed_by_followed(account_id: int) -> Select[int, int]:
    """Accounts followed by the people this one follows, each with how many of them
    follow it (``suggestions``), to put in a query. Includes this account and those it
    already follows: the caller leaves them out."""
    first, second = aliased(Follow), aliased(Follow)
    friends = func.count(func.distinct(first.target_account_id)).label("friends")
    return (
        select(second.target_account_id, friends)
        .join(second, second.account_id == first.target_account_id)
        .where(first.account_id == account_id)
        .group_by(second.target_account_id)
    )


async def follow_requests_count(session: AsyncSession, account_id: int) -> int:
    """How many people are waiting for ``account_id`` to answer their follow request."""
    count = await session.scalar(
        select(func.count()).where(FollowRequest.target_account_id == account_id)
    )
    return int(count or 0)


async def familiar_followers_of(
    session: AsyncSession, *, viewer_id: int, ids: Collection[int]
) -> dict[int, list[int]]:
    """For each of ``ids``: those the viewer follows who follow it too, leaving out
    anyone blocked either way with the viewer, and nobody at all for an account
    blocked either way with the viewer (oldest follow first)."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(Follow.target_account_id, Follow.account_id)
        .where(
            Follow.target_account_id.in_(wanted),
            Follow.account_id.in_(followed_by(viewer_id)),
            Follow.account_id != viewer_id,
            not_blocked_either_way(viewer_id, Follow.account_id),
            not_blocked_either_way(viewer_id, Follow.target_account_id),
        )
        .order_by(Follow.id)
    )
    found: dict[int, list[int]] = {account_id: [] for account_id in wanted}
    for target, follower in rows:
        found[target].append(follower)
    return found


async def related_to(session: AsyncSession, account_id: int, *, limit: int) -> list[int]:
    """Up to ``limit`` accounts with any relation to ``account_id`` either way: a follow,
    a follow request, a block, a mute or a private note (for an account being deleted)."""
    sides = []
    for model in (Follow, FollowRequest, Block, Mute, AccountNote):
        sides.append(
            select(model.target_account_id.label("other")).where(model.account_id == account_id)
        )
        sides.append(
            select(model.account_id.label("other")).where(model.target_account_id == account_id)
        )
    others = union(*sides).subquery()
    rows = await session.scalars(select(others.c.other).order_by(others.c.other).limit(limit))
    return list(rows.all())
