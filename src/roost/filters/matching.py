"""Which of a person's filters a post matches: the one home of the matching rule.

A person's filters are loaded once per request (``read_viewer_filters``, one query, or
none through ``cache.py``) and matched in Python against the rendered Status entities
of a page, as Mastodon's ``CustomFilter.apply_cached_filters`` does:

- a keyword matches case-insensitively anywhere in the post's text (its content with
  the HTML stripped, its content warning, its media descriptions and poll options);
  a ``whole_word`` keyword only where it is not glued to more word characters, on the
  sides where it starts or ends with one (Mastodon's ``\\b`` rule);
- a status filter matches the post by id (a boost by the post it boosts too);
- only filters whose context is the place shown, and not expired, apply;
- the viewer's own posts (and boosts) are never filtered, as on Mastodon.

What a match does: ``hide`` leaves the post out, ``warn`` and ``blur`` keep it with
``filtered`` set to the FilterResults (Mastodon's Status ``filtered``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import as_utc, utcnow
from roost.core.http import iso
from roost.core.versions import Watch
from roost.filters.models import Filter, FilterKeyword, FilterStatus

_BREAK = re.compile(r"<br\s*/?>|</p>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w")


def plain_text(content: str) -> str:
    """The text of a post's HTML, as Mastodon's plaintext formatter gives it."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content))).strip()


def keyword_pattern(keyword: str, *, whole_word: bool) -> re.Pattern[str]:
    escaped = re.escape(keyword)
    if whole_word:
        if _WORD.match(keyword[:1]):
            escaped = r"\b" + escaped
        if _WORD.match(keyword[-1:]):
            escaped += r"\b"
    return re.compile(escaped, re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Keyword:
    keyword: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class LoadedFilter:
    """One filter as matching needs it; ``entity`` is its Filter entity as a
    FilterResult shows it (without keywords and statuses)."""

    id: int
    context: frozenset[str]
    action: str
    expires_at: datetime | None
    keywords: tuple[Keyword, ...]
    status_ids: frozenset[int]
    entity: dict[str, Any] = field(compare=False)

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


def filter_entity(row: Filter) -> dict[str, Any]:
    """The Filter entity's own fields (the API adds ``keywords`` and ``statuses``)."""
    return {
        "id": str(row.id),
        "title": row.title,
        "context": row.context.split(","),
        "expires_at": iso(row.expires_at) if row.expires_at is not None else None,
        "filter_action": row.action,
    }


def status_itself(item: dict[str, Any]) -> dict[str, Any] | None:
    return item


StatusOf = Callable[[dict[str, Any]], "dict[str, Any] | None"]


class ViewerFilters:
    """Every filter of one person, expired ones too (they may come back on an edit; the
    time decides when each is applied, so a cached copy never goes stale by itself)."""

    def __init__(self, viewer_id: int, filters: Sequence[LoadedFilter]) -> None:
        self.viewer_id = viewer_id
        self.filters = tuple(filters)

    def in_context(self, context: str, now: datetime | None = None) -> list[LoadedFilter]:
        moment = now or utcnow()
        return [f for f in self.filters if context in f.context and f.active(moment)]

    def apply(
        self,
        items: list[dict[str, Any]],
        context: str,
        *,
        status_of: StatusOf = status_itself,
        watch: Watch | None = None,
    ) -> list[dict[str, Any]]:
        """``items`` (rendered statuses, or what ``status_of`` finds one in) shown in
        ``context``: those a ``hide`` filter matches left out, the others' statuses
        given ``filtered`` (in place). A ``watch`` (a kept page) is spoiled by a filter
        that will expire: the page must not outlive it."""
        applied = self.in_context(context)
        if watch is not None and any(f.expires_at is not None for f in applied):
            watch.spoiled = True
        kept = []
        for item in items:
            status = status_of(item)
            if status is not None:
                results = self.results(status, applied) if applied else []
                if any(r["filter"]["filter_action"] == "hide" for r in results):
                    continue
                status["filtered"] = results
                if status.get("reblog"):
                    status["reblog"]["filtered"] = results
            kept.append(item)
        return kept

    def results(
        self, status: dict[str, Any], applied: Iterable[LoadedFilter]
    ) -> list[dict[str, Any]]:
        """The FilterResults of a rendered status: what of ``applied`` it matches."""
        if status["account"]["id"] == str(self.viewer_id):
            return []
        proper = status.get("reblog") or status
        ids = {int(status["id"]), int(proper["id"])}
        text: str | None = None
        found = []
        for loaded in applied:
            keywords: list[str] = []
            if loaded.keywords:
                text = searchable_text(proper) if text is None else text
                keywords = [k.keyword for k in loaded.keywords if k.pattern.search(text)]
            statuses = [str(i) for i in sorted(ids & loaded.status_ids)]
            if keywords or statuses:
                found.append(
                    {
                        "filter": loaded.entity,
                        "keyword_matches": keywords or None,
                        "status_matches": statuses or None,
                    }
                )
        return found


def searchable_text(status: dict[str, Any]) -> str:
    """What keywords are matched against, as Mastodon's ``searchable_text``."""
    parts = [status.get("spoiler_text") or "", plain_text(status.get("content") or "")]
    poll = status.get("poll")
    if isinstance(poll, dict):
        parts += [str(option.get("title", "")) for option in poll.get("options", [])]
    parts += [
        str(media.get("description") or "") for media in status.get("media_attachments") or []
    ]
    return "\n\n".join(parts)


async def read_viewer_filters(session: AsyncSession, viewer_id: int) -> ViewerFilters:
    """One query for a person without filters; two with some (their statuses)."""
    rows = (
        await session.execute(
            select(Filter, FilterKeyword)
            .outerjoin(FilterKeyword, FilterKeyword.filter_id == Filter.id)
            .where(Filter.account_id == viewer_id)
            .order_by(Filter.id, FilterKeyword.id)
        )
    ).all()
    if not rows:
        return ViewerFilters(viewer_id, ())
    status_rows = await session.execute(
        select(FilterStatus.filter_id, FilterStatus.status_id)
        .join(Filter, Filter.id == FilterStatus.filter_id)
        .where(Filter.account_id == viewer_id)
    )
    statuses: dict[int, set[int]] = {}
    for filter_id, status_id in status_rows:
        statuses.setdefault(filter_id, set()).add(status_id)
    groups: dict[int, tuple[Filter, list[Keyword]]] = {}
    for row, keyword in rows:
        _, keywords = groups.setdefault(row.id, (row, []))
        if keyword is not None:
            pattern = keyword_pattern(keyword.keyword, whole_word=keyword.whole_word)
            keywords.append(Keyword(keyword.keyword, pattern))
    return ViewerFilters(
        viewer_id,
        [
            LoadedFilter(
                id=row.id,
                context=frozenset(row.context.split(",")),
                action=row.action,
                expires_at=as_utc(row.expires_at) if row.expires_at else None,
                keywords=tuple(keywords),
                status_ids=frozenset(statuses.get(row.id, ())),
                entity=filter_entity(row),
            )
            for row, keywords in groups.values()
        ],
    )
