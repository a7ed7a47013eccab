"""Who follows, blocks and mutes whom: the one reader of the follow graph's rows.

Every question another feature asks of follows, blocks and mutes is answered here
(Takahē's ``BlockQuerySet.active``), so a rule such as "a block works both ways" has
one home. The verbs that change the graph (and read the rows they are about to
change) are ``follows/service.py``; the paged lists of it are ``follows/lists.py``.
Who receives a post (``timelines/recipients.py``) builds its rule from the SQL
conditions here.

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
from roost.follows.models import Block, Follow, Mute

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
    return exists().where(Mute.account_id == viewer_id, Mute.target_account_id == account)


def followers_of(account_id: int, *, boosts_shown: bool = False) -> Select[int]:
    """The ids of the account's followers (with ``boosts_shown``: those who show its
    boosts), to put in a query."""
    query = select(Follow.account_id).where(Follow.target_account_id == account_id)
    return query.where(Follow.show_reblogs.is_(True)) if boosts_shown else query


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
        select(Mute.account_id).where(Mute.target_account_id.in_(ids)),
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
            Mute.account_id == viewer_id, Mute.hide_notifications.is_(True)
        )
    )
    return set(rows.all())


async def load_relations(
    session: AsyncSession, viewer_id: int, among: Collection[int] | None = None
) -> Relations:
    """The viewer's relations, in one query; with ``among``, only those with these
    accounts (the authors of one thread)."""
    following, blocked, muted = range(3)
    kinds = (  # (the other account, the viewer's side, what it makes them)
        (Follow.target_account_id, Follow.account_id, following),
        (Block.target_account_id, Block.account_id, blocked),
        (Block.account_id, Block.target_account_id, blocked),
        (Mute.target_account_id, Mute.account_id, muted),
    )
    others = None if among is None else list(among)
    parts = []
    for other, viewer_side, kind in kinds:
        part = select(other, literal(kind)).where(viewer_side == viewer_id)
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
    select(Mute.target_account_id, literal(MUTED)).where(Mute.account_id == _owner),
    select(Follow.target_account_id, literal(BIG))
    .join(Account, Account.id == Follow.target_account_id)
    .where(Follow.account_id == _owner, Account.followers_count > bindparam("fanout_limit")),
)


async def load_home_relations(session: AsyncSession, owner: int, fanout_limit: int) -> Relations:
    """What a home read needs, in one query: whom the owner blocks or is blocked by,
    mutes, and the followed accounts too big to fan out (``following`` holds only
    those)."""
    rows = await session.execute(HOME_RELATIONS, {"owner": owner, "fanout_limit": fanout_limit})
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


async def load_graph(session: AsyncSession, *, viewer_id: int, ids: Collection[int]) -> Graph:
    """How the viewer relates to each of ``ids``, both ways (five statements)."""
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
            Mute.account_id == viewer_id, Mute.target_account_id.in_(wanted)
        )
    )
    return Graph(
        following=following,
        followed_by=set(followed_by.all()),
        blocking=set(blocking.all()),
        blocked_by=set(blocked_by.all()),
        muting={target: hide for target, (hide,) in muting.items()},
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
