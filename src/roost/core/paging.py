"""Mastodon paging, defined once: every listing endpoint and both timeline stores take
their cursor rules from here (Takahē's one ``MastodonPaginator`` for every view).

A page is asked for with up to three cursors on a key that grows with time (a
snowflake id, a relation id, a home timeline's ``seq``) and a size:

- ``max_id``: keys below it (exclusive): the page older than the one seen.
- ``since_id``: keys above it (exclusive); still the newest of them.
- ``min_id``: keys above it (exclusive), but those *just* above it: read upwards,
  oldest first, and handed back reversed, so every page is newest first.
  Given both ``since_id`` and ``min_id``, both bounds hold (and the page goes upwards).
- ``limit``: from a client, clamped to 1..40 (``PageParams.clamped_limit``); code
  that pages for itself (an unread count) builds a ``Window`` with its own size.

A page answers with its items, newest first, and two cursors for the ``Link`` header
(``core.http.link_header``): ``next_max``, the oldest key read (``rel="next"``,
``?max_id=``), and ``prev_min``, the newest (``rel="prev"``, ``?min_id=``). A page
whose rows were all filtered out afterwards (blocked, muted, not visible) keeps the
cursors of the rows it read, so a client can page on past it; a page that read no
rows has neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from starlette.requests import Request

from roost.core.http import DEFAULT_LIMIT, JSON, PageParams, json_response, link_header

T = TypeVar("T")
U = TypeVar("U")
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
Q = TypeVar("Q", bound=AnySelect)
Key: TypeAlias = ColumnElement[int] | InstrumentedAttribute[int]


@dataclass(frozen=True, slots=True)
class Window:
    """Where a page lies on its key: the cursors (in the key's own terms) and the size."""

    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def of(cls, page: PageParams) -> Window:
        """A client's paging parameters, its limit clamped."""
        return cls(page.max_id, page.since_id, page.min_id, page.clamped_limit())

    @property
    def upwards(self) -> bool:
        """Whether the page is the keys just above a cursor (``min_id``): read oldest
        first, then reversed by ``newest_first``."""
        return self.min_id is not None

    @property
    def below(self) -> int | None:
        """Keys must be below this (exclusive), if set."""
        return self.max_id

    @property
    def above(self) -> int | None:
        """Keys must be above this (exclusive), if set: the higher of since_id, min_id."""
        bounds = [bound for bound in (self.since_id, self.min_id) if bound is not None]
        return max(bounds) if bounds else None

    def bound(self, query: Q, key: Key) -> Q:
        """``query`` limited to this window, in reading order (see ``upwards``)."""
        if self.below is not None:
            query = query.where(key < self.below)
        if self.above is not None:
            query = query.where(key > self.above)
        return query.order_by(key.asc() if self.upwards else key.desc()).limit(self.limit)

    def newest_first(self, rows: Sequence[T]) -> list[T]:
        """Rows in reading order, as a page returns them."""
        return list(reversed(rows)) if self.upwards else list(rows)

    def past(self, *, newest: int, oldest: int) -> Window:
        """The next read in the same direction, beyond a page that read keys from
        ``newest`` down to ``oldest`` (to refill a page its filters thinned)."""
        return replace(self, min_id=newest) if self.upwards else replace(self, max_id=oldest)

    def trim(self, items: Sequence[T]) -> list[T]:
        """At most ``limit`` of items newest first: going upwards the ones just above
        the cursor (the oldest), otherwise the newest."""
        return list(items[-self.limit :] if self.upwards else items[: self.limit])


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Items newest first, and the cursors of the ``Link`` header."""

    items: list[T]
    next_max: int | None = None  # Link rel="next": ?max_id=
    prev_min: int | None = None  # Link rel="prev": ?min_id=

    @classmethod
    def of(cls, items: list[T], keys: Sequence[int]) -> Page[T]:
        """A page whose rows had ``keys``; no keys, no cursors."""
        if not keys:
            return cls(items=items)
        return cls(items=items, next_max=min(keys), prev_min=max(keys))

    def with_items(self, items: list[U]) -> Page[U]:
        """The same page, its items rendered or filtered: the cursors stay."""
        return Page(items=items, next_max=self.next_max, prev_min=self.prev_min)

    def response(self, request: Request, *, base_url: str) -> JSON:
        """The items as JSON, with the ``Link`` header of the page's cursors."""
        link = link_header(
            request, base_url=base_url, next_max=self.next_max, prev_min=self.prev_min
        )
        return json_response(self.items, link=link)


async def paginate(
    session: AsyncSession,
    query: AnySelect,
    *,
    key: Key,
    page: PageParams | Window,
) -> Page[Any]:
    """One page of ``query`` paged on ``key`` (any column of the query's joins, selected
    or not). The items are what the query selects: single values (an entity, a column)
    for a query of one, tuples otherwise. One statement."""
    window = page if isinstance(page, Window) else Window.of(page)
    single = len(query.column_descriptions) == 1
    result = await session.execute(window.bound(query.add_columns(key), key))
    rows = window.newest_first(result.all())
    items = [row[0] if single else tuple(row[:-1]) for row in rows]
    return Page.of(items, [row[-1] for row in rows])
