"""Who may see which status: the one privacy policy every read path applies.

- ``public`` and ``unlisted``: anyone (unlisted stays off public timelines).
- ``private`` (followers only): the author, their followers, and people mentioned.
- ``direct``: the author and the people mentioned.
- Blocks hide everything either way between two people; mutes hide a person's
  posts from the muter's timelines and searches (not from a thread opened on purpose).
- Moderation (``withheld``): a suspended author's posts are seen by nobody else, a
  silenced author's only by its followers; neither reaches public timelines, hashtag
  timelines or trends (``publicly_shown``). Unsuspending or unsilencing shows them
  again: nothing is deleted, every read asks the author's standing as it is now.
A boost is visible only if both the boost and the boosted post are.

The moderation rule is written once, as SQL (``_restricted``), and asked three ways:
in the queries that list posts (``visible_to``, ``publicly_shown``), in the one
statement every rendered post passes through (``statuses/render.py``'s live fields:
timelines read from the stores, streams, notifications, conversations, kept pages),
and for loaded rows (``filter_visible``, which learns the authors' standing in the
same statement as the viewer's mentions).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, exists, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from roost.accounts.models import Account
from roost.follows.relations import AccountColumn, Relations, Someone, follows, load_relations
from roost.statuses.models import Mention, Status

PUBLIC_TIMELINE_VISIBILITIES = ("public",)
LISTED_VISIBILITIES = ("public", "unlisted")


@dataclass(frozen=True)
class Audience:
    """What one viewer's relations are, loaded once per request (by
    ``follows.relations``, the one reader of the follow graph)."""

    viewer_id: int | None
    following: frozenset[int] = field(default_factory=frozenset)
    blocked: frozenset[int] = field(default_factory=frozenset)  # either direction
    muted: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, viewer_id: int, relations: Relations) -> Audience:
        return cls(
            viewer_id=viewer_id,
            following=relations.following,
            blocked=relations.blocked,
            muted=relations.muted,
        )

    def hides(self, author_id: int, *, hide_muted: bool = True) -> bool:
        return author_id in self.blocked or (hide_muted and author_id in self.muted)


async def load_audience(
    session: AsyncSession, viewer_id: int | None, among: Collection[int] | None = None
) -> Audience:
    """The viewer's relations, in one query; with ``among``, only those with these
    authors (one thread)."""
    if viewer_id is None:
        return Audience(viewer_id=None)
    return Audience.of(viewer_id, await load_relations(session, viewer_id, among))


def _restricted(viewer: Someone | None, author: type[Account]) -> ColumnElement[bool]:
    """THE moderation rule, as SQL on an account row: moderation keeps what this author
    posts from ``viewer`` (None: anyone not signed in, and the public timelines). A
    suspended author is kept from everyone, a silenced one from all but its followers.
    The author's own posts are never kept from the author (see ``withheld``)."""
    silenced = author.silenced_at.is_not(None)
    return or_(
        author.suspended_at.is_not(None),
        silenced if viewer is None else and_(silenced, ~follows(viewer, author.id)),
    )


def withheld(viewer: Someone | None, author: AccountColumn) -> ColumnElement[bool]:
    """SQL condition: moderation keeps what ``author`` posts (and does: notifications)
    from ``viewer``, who is not that author."""
    row = aliased(Account)
    return exists().where(row.id == author, author_withholds(viewer, row))


def author_withholds(viewer: Someone | None, author: type[Account]) -> ColumnElement[bool]:
    """``withheld`` for an author row already joined to the query."""
    restricted = _restricted(viewer, author)
    return restricted if viewer is None else and_(author.id != viewer, restricted)


def publicly_shown() -> ColumnElement[bool]:
    """SQL condition on ``Status``: its author is neither suspended nor silenced, as
    public timelines, hashtag timelines and trends ask (for every reader alike)."""
    return ~withheld(None, Status.account_id)


def visible_to(viewer_id: int | None) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the viewer may read the row by visibility and its
    author's standing (blocks and mutes are filtered separately, see ``Audience``)."""
    listed = Status.visibility.in_(LISTED_VISIBILITIES)
    if viewer_id is None:
        return and_(listed, publicly_shown())
    mentioned = exists().where(Mention.status_id == Status.id, Mention.account_id == viewer_id)
    follows_author = follows(viewer_id, Status.account_id)
    return and_(
        or_(
            listed,
            Status.account_id == viewer_id,
            mentioned,
            and_(Status.visibility == "private", follows_author),
        ),
        ~withheld(viewer_id, Status.account_id),
    )


def not_hidden_by(audience: Audience, *, hide_muted: bool = True) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the author is not blocked (either way) or muted."""
    hidden = set(audience.blocked) | (set(audience.muted) if hide_muted else set())
    return Status.account_id.not_in(hidden) if hidden else Status.id.is_not(None)


MENTIONED, WITHHELD = range(2)


async def _policy_facts(
    session: AsyncSession, viewer_id: int | None, posts: Sequence[Post]
) -> tuple[set[int], set[int]]:
    """In one statement, what the policy needs beyond relations: which of ``posts``
    mention the viewer, and which of their authors moderation keeps from the viewer."""
    authors = {p.account_id for p in posts} - {viewer_id}
    parts = []
    if authors:
        row = aliased(Account)
        parts.append(
            select(row.id, literal(WITHHELD)).where(
                row.id.in_(authors), _restricted(viewer_id, row)
            )
        )
    if viewer_id is not None and posts:
        parts.append(
            select(Mention.status_id, literal(MENTIONED)).where(
                Mention.account_id == viewer_id, Mention.status_id.in_([p.id for p in posts])
            )
        )
    found: tuple[set[int], set[int]] = (set(), set())
    if parts:
        for ident, kind in await session.execute(union_all(*parts)):
            found[kind].add(ident)
    return found


class Post(Protocol):
    """What the policy needs of a status: a row, or a cached ``Core``."""

    @property
    def id(self) -> int: ...
    @property
    def account_id(self) -> int: ...
    @property
    def visibility(self) -> str: ...
    @property
    def reblog_of_id(self) -> int | None: ...


P = TypeVar("P", bound=Post)


def may_see(status: Post, audience: Audience, *, mentioned: bool, withheld: bool) -> bool:
    """The same rule as ``visible_to``, for one loaded row; ``withheld``: moderation
    keeps its author's posts from the viewer."""
    if status.account_id == audience.viewer_id:
        return True
    if withheld:
        return False
    if status.visibility in LISTED_VISIBILITIES:
        return True
    if audience.viewer_id is None:
        return False
    if mentioned:
        return True
    return status.visibility == "private" and status.account_id in audience.following


async def filter_visible(
    session: AsyncSession,
    audience: Audience,
    statuses: Sequence[P],
    originals: Mapping[int, Post],
    *,
    hide_muted: bool = True,
    mentioned: set[int] | None = None,
) -> list[P]:
    """Keep the statuses this audience may read; ``originals`` maps boosted ids to rows.
    ``mentioned`` (the ids that mention the viewer), when known, saves the query that
    learns them and the authors' standing: a caller that passes it renders what it
    keeps, and rendering leaves out what moderation withholds (statuses/render.py)."""
    candidates: list[Post] = [*statuses, *originals.values()]
    kept_from: set[int] = set()
    if mentioned is None:
        mentioned, kept_from = await _policy_facts(session, audience.viewer_id, candidates)

    def ok(status: Post) -> bool:
        return not audience.hides(status.account_id, hide_muted=hide_muted) and may_see(
            status,
            audience,
            mentioned=status.id in mentioned,
            withheld=status.account_id in kept_from,
        )

    kept = []
    for status in statuses:
        if not ok(status):
            continue
        if status.reblog_of_id is not None:
            original = originals.get(status.reblog_of_id)
            if original is None or not ok(original):
                continue
        kept.append(status)
    return kept
