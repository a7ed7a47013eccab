"""Who may see which status: the one privacy policy every read path applies.

- ``public`` and ``unlisted``: anyone (unlisted stays off public timelines).
- ``private`` (followers only): the author, their followers, and people mentioned.
- ``direct``: the author and the people mentioned.
- Blocks hide everything either way between two people; mutes hide a person's
  posts from the muter's timelines and searches (not from a thread opened on purpose).
A boost is visible only if both the boost and the boosted post are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.follows.relations import Relations, follows, load_relations
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


def visible_to(viewer_id: int | None) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the viewer may read the row by visibility alone
    (blocks and mutes are filtered separately, see ``Audience``)."""
    listed = Status.visibility.in_(LISTED_VISIBILITIES)
    if viewer_id is None:
        return listed
    mentioned = exists().where(Mention.status_id == Status.id, Mention.account_id == viewer_id)
    follows_author = follows(viewer_id, Status.account_id)
    return or_(
        listed,
        Status.account_id == viewer_id,
        mentioned,
        and_(Status.visibility == "private", follows_author),
    )


def not_hidden_by(audience: Audience, *, hide_muted: bool = True) -> ColumnElement[bool]:
    """SQL condition on ``Status``: the author is not blocked (either way) or muted."""
    hidden = set(audience.blocked) | (set(audience.muted) if hide_muted else set())
    return Status.account_id.not_in(hidden) if hidden else Status.id.is_not(None)


async def mentioned_in(
    session: AsyncSession, viewer_id: int, status_ids: Iterable[int]
) -> set[int]:
    ids = list(status_ids)
    if not ids:
        return set()
    rows = await session.scalars(
        select(Mention.status_id).where(Mention.account_id == viewer_id, Mention.status_id.in_(ids))
    )
    return set(rows.all())


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


def may_see(status: Post, audience: Audience, *, mentioned: bool) -> bool:
    """The same rule as ``visible_to``, for one loaded row."""
    if status.visibility in LISTED_VISIBILITIES or status.account_id == audience.viewer_id:
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
    ``mentioned`` (the ids that mention the viewer), when known, saves a query."""
    candidates: list[Post] = [*statuses, *originals.values()]
    if mentioned is None:
        mentioned = (
            await mentioned_in(session, audience.viewer_id, (s.id for s in candidates))
            if audience.viewer_id is not None
            else set()
        )

    def ok(status: Post) -> bool:
        return not audience.hides(status.account_id, hide_muted=hide_muted) and may_see(
            status, audience, mentioned=status.id in mentioned
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
