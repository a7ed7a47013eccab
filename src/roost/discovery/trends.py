"""Trends, computed from this server's own recent activity (Roost has nothing else).

- Tags: hashtags of public original posts of the last ``TAG_WINDOW_DAYS`` days, ranked
  by how many distinct people used them, then by uses; each with its ``history``, uses
  and people per day for the last seven days (today first), as Mastodon's Tag entity.
- Statuses: public original posts of the last ``STATUS_WINDOW_DAYS`` days with at least
  one boost or favourite, ranked by boosts + favourites, newest first among equals;
  the viewer's blocks (either way) and mutes leave posts out (``statuses/visibility.py``).
- Links: the link cards (cards/) of public original posts of the last
  ``LINK_WINDOW_DAYS`` days, ranked by how many distinct people shared them, then by
  posts; each a Trends::Link (the PreviewCard with its ``history``, as tags have).
- None counts anything of a suspended or silenced author (``publicly_shown``).

Each is computed when asked, in one or two indexed queries over the recent window (ids
are snowflakes: a time window is an id range); nothing is stored.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.cards.models import PreviewCard, StatusCard
from roost.cards.render import render_card
from roost.core.db import as_utc, utcnow
from roost.core.ids import lowest_id_at
from roost.statuses.models import Status, StatusTag, Tag
from roost.statuses.render import render_statuses
from roost.statuses.visibility import (
    PUBLIC_TIMELINE_VISIBILITIES,
    load_audience,
    not_hidden_by,
    publicly_shown,
    visible_to,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime

TAG_WINDOW_DAYS = 2
STATUS_WINDOW_DAYS = 3
LINK_WINDOW_DAYS = 3
HISTORY_DAYS = 7


def _floor_id(days: int, now: datetime) -> int:
    """The lowest status id of the last ``days`` days."""
    return lowest_id_at(int((now - timedelta(days=days)).timestamp() * 1000))


def _recent_public(days: int, now: datetime) -> Any:
    """SQL condition: an original public post of the last ``days`` days."""
    return (
        (Status.id >= _floor_id(days, now))
        & Status.visibility.in_(PUBLIC_TIMELINE_VISIBILITIES)
        & Status.reblog_of_id.is_(None)
        & publicly_shown()  # nothing of a suspended or silenced author trends
    )


async def trending_tags(
    *, session: AsyncSession, base_url: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The tags most people used lately, ``offset`` into the ranking, with history."""
    now = utcnow()
    people = func.count(func.distinct(Status.account_id))
    uses = func.count(Status.id)
    ranked = await session.execute(
        select(Tag)
        .join(StatusTag, StatusTag.tag_id == Tag.id)
        .join(Status, Status.id == StatusTag.status_id)
        .where(_recent_public(TAG_WINDOW_DAYS, now))
        .group_by(Tag.id)
        .order_by(people.desc(), uses.desc(), Tag.name)
        .offset(offset)
        .limit(limit)
    )
    tags = list(ranked.scalars().all())
    histories = await tag_histories(session, [tag.id for tag in tags], now)
    return [render_trending_tag(tag, histories[tag.id], base_url) for tag in tags]


def _day_start(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


async def tag_histories(
    session: AsyncSession, tag_ids: list[int], now: datetime
) -> dict[int, list[dict[str, str]]]:
    """Uses and distinct people per UTC day for the last seven days, today first: one
    query over the uses of these tags in that week, bucketed here."""
    days = _history_days(now)
    rows: list[Any] = []
    if tag_ids:
        found = await session.execute(
            select(StatusTag.tag_id, Status.account_id, Status.created_at)
            .join(Status, Status.id == StatusTag.status_id)
            .where(StatusTag.tag_id.in_(tag_ids), _public_since(days[-1]))
        )
        rows = list(found.all())
    return _histories(tag_ids, rows, days)


def _history_days(now: datetime) -> list[datetime]:
    today = _day_start(now)
    return [today - timedelta(days=back) for back in range(HISTORY_DAYS)]


def _public_since(day: datetime) -> Any:
    """SQL condition: an original public post since ``day`` began, by an author whose
    posts may trend (neither suspended nor silenced)."""
    return (
        (Status.id >= lowest_id_at(int(day.timestamp() * 1000)))
        & Status.visibility.in_(PUBLIC_TIMELINE_VISIBILITIES)
        & Status.reblog_of_id.is_(None)
        & publicly_shown()
    )


def _histories(
    keys: list[int], rows: list[Any], days: list[datetime]
) -> dict[int, list[dict[str, str]]]:
    """Mastodon's ``history``: uses and distinct people per day, from (key, account,
    created_at) rows."""
    uses: dict[tuple[int, datetime], int] = defaultdict(int)
    people: dict[tuple[int, datetime], set[int]] = defaultdict(set)
    for key, account_id, created_at in rows:
        day = _day_start(as_utc(created_at))
        uses[key, day] += 1
        people[key, day].add(account_id)
    return {
        key: [
            {
                "day": str(int(day.timestamp())),
                "uses": str(uses[key, day]),
                "accounts": str(len(people[key, day])),
            }
            for day in days
        ]
        for key in keys
    }


def render_trending_tag(tag: Tag, history: list[dict[str, str]], base_url: str) -> dict[str, Any]:
    return {"name": tag.display_name, "url": f"{base_url}/tags/{tag.name}", "history": history}


async def trending_statuses(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    """The recent public posts most boosted and favourited that the viewer may see."""
    audience = await load_audience(session, viewer_id)
    score = Status.reblogs_count + Status.favourites_count
    rows = await session.scalars(
        select(Status)
        .where(
            _recent_public(STATUS_WINDOW_DAYS, utcnow()),
            score > 0,
            visible_to(viewer_id),
            not_hidden_by(audience),
        )
        .order_by(score.desc(), Status.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return await render_statuses(session, rows.all(), viewer_id, runtime=runtime)


async def trending_links(
    *, session: AsyncSession, base_url: str, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The links most people shared lately, ``offset`` into the ranking, with history."""
    now = utcnow()
    people = func.count(func.distinct(Status.account_id))
    uses = func.count(Status.id)
    ranked = await session.execute(
        select(PreviewCard)
        .join(StatusCard, StatusCard.card_id == PreviewCard.id)
        .join(Status, Status.id == StatusCard.status_id)
        .where(_recent_public(LINK_WINDOW_DAYS, now), PreviewCard.state == "ready")
        .group_by(PreviewCard.id)
        .order_by(people.desc(), uses.desc(), PreviewCard.id.desc())
        .offset(offset)
        .limit(limit)
    )
    cards = list(ranked.scalars().all())
    days = _history_days(now)
    rows: list[Any] = []
    if cards:
        found = await session.execute(
            select(StatusCard.card_id, Status.account_id, Status.created_at)
            .join(Status, Status.id == StatusCard.status_id)
            .where(StatusCard.card_id.in_([c.id for c in cards]), _public_since(days[-1]))
        )
        rows = list(found.all())
    histories = _histories([c.id for c in cards], rows, days)
    return [
        {**render_card(card, base_url=base_url), "history": histories[card.id]} for card in cards
    ]
