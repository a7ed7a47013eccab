"""Filters: a person's filter groups (v2), their keywords and statuses, and the v1 view
of the same rows (one v1 filter per keyword). Every change forgets the owner's cached
filters after commit (``cache.py``), so the next read anywhere applies it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import after_commit, commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import new_id
from roost.filters.matching import filter_entity
from roost.filters.models import ACTIONS, CONTEXTS, Filter, FilterKeyword, FilterStatus
from roost.statuses.lookup import get_visible
from roost.streaming.publish import publish_filters_changed

if TYPE_CHECKING:
    from roost.runtime import Runtime

MAX_FILTERS = 100  # per person: every filtered read matches them all
MAX_KEYWORDS = 100  # per filter
MAX_STATUSES = 100  # per filter
MAX_TEXT = 256  # a title's or keyword's characters
MAX_EXPIRES_IN = 10 * 365 * 24 * 3600

Keep = Literal["keep"]
KEEP: Keep = "keep"


@dataclass(frozen=True)
class KeywordChange:
    """A new keyword (no ``id``), a change to one (``id``), or its removal (``destroy``)."""

    keyword: str | None = None
    whole_word: bool | None = None
    id: int | None = None
    destroy: bool = False


def keyword_changes(
    current: Sequence[dict[str, Any]], wanted: Sequence[str], *, whole_word: bool
) -> list[KeywordChange]:
    """The changes that make a filter's keywords (rendered) ``wanted``, all with
    ``whole_word``: the ones kept keep their ids (the settings page sends the list)."""
    kept = {k["keyword"]: k for k in current}
    changes = [
        KeywordChange(id=int(k["id"]), destroy=True) for k in current if k["keyword"] not in wanted
    ]
    for keyword in wanted:
        old = kept.get(keyword)
        if old is None:
            changes.append(KeywordChange(keyword=keyword, whole_word=whole_word))
        elif old["whole_word"] != whole_word:
            changes.append(KeywordChange(id=int(old["id"]), whole_word=whole_word))
    return changes


# ---- rendering ----


def render_keyword(keyword: FilterKeyword) -> dict[str, Any]:
    return {"id": str(keyword.id), "keyword": keyword.keyword, "whole_word": keyword.whole_word}


def render_filter_status(row: FilterStatus) -> dict[str, Any]:
    return {"id": str(row.id), "status_id": str(row.status_id)}


async def _render_filters(session: AsyncSession, rows: Sequence[Filter]) -> list[dict[str, Any]]:
    ids = [row.id for row in rows]
    keywords = (
        await session.scalars(
            select(FilterKeyword).where(FilterKeyword.filter_id.in_(ids)).order_by(FilterKeyword.id)
        )
    ).all()
    statuses = (
        await session.scalars(
            select(FilterStatus).where(FilterStatus.filter_id.in_(ids)).order_by(FilterStatus.id)
        )
    ).all()
    return [
        {
            **filter_entity(row),
            "keywords": [render_keyword(k) for k in keywords if k.filter_id == row.id],
            "statuses": [render_filter_status(s) for s in statuses if s.filter_id == row.id],
        }
        for row in rows
    ]


# ---- checks ----


def checked_text(value: str | None, what: str) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise Unprocessable(f"Validation failed: {what} can't be blank")
    if len(cleaned) > MAX_TEXT:
        raise Unprocessable(f"Validation failed: {what} is too long (at most {MAX_TEXT})")
    return cleaned


def checked_context(values: Sequence[str] | None) -> str:
    if not values:
        raise Unprocessable("Validation failed: Context can't be blank")
    if any(value not in CONTEXTS for value in values):
        raise Unprocessable("Validation failed: Context None or invalid context supplied")
    return ",".join(c for c in CONTEXTS if c in values)


def _action(value: str) -> str:
    if value not in ACTIONS:
        raise Unprocessable(f"Validation failed: Filter action must be one of {', '.join(ACTIONS)}")
    return value


def set_expiry(row: Filter, expires_in: int | None | Keep) -> None:
    if expires_in == KEEP:
        return
    if expires_in is None:
        row.expires_at = None
        return
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        raise Unprocessable("Validation failed: Expires in must be a positive number of seconds")
    row.expires_at = utcnow() + timedelta(seconds=expires_in)


async def _owned(session: AsyncSession, account_id: int, filter_id: int) -> Filter:
    row = await session.get(Filter, filter_id)
    if row is None or row.account_id != account_id:
        raise NotFound()
    return row


async def owned_keyword(
    session: AsyncSession, account_id: int, keyword_id: int
) -> tuple[Filter, FilterKeyword]:
    found = (
        await session.execute(
            select(Filter, FilterKeyword)
            .join(FilterKeyword, FilterKeyword.filter_id == Filter.id)
            .where(FilterKeyword.id == keyword_id, Filter.account_id == account_id)
        )
    ).first()
    if found is None:
        raise NotFound()
    return found[0], found[1]


async def count_of(session: AsyncSession, column: Any, where: Any) -> int:
    return int(await session.scalar(select(func.count(column)).where(where)) or 0)


async def _check_keyword_room(session: AsyncSession, filter_id: int, adding: int) -> None:
    have = await count_of(session, FilterKeyword.id, FilterKeyword.filter_id == filter_id)
    if have + adding > MAX_KEYWORDS:
        raise Unprocessable(f"Validation failed: a filter holds at most {MAX_KEYWORDS} keywords")


async def save_change(session: AsyncSession, runtime: Runtime, account_id: int) -> None:
    """Commit a change to the account's filters: every process reads them again, and
    the account's ``user`` streams hear ``filters_changed``."""
    runtime.filters.forget(session, account_id)

    async def tell() -> None:
        await publish_filters_changed(runtime, account_id)

    after_commit(session, tell)
    await commit(session)


# ---- v2: filter groups ----


async def list_filters(*, session: AsyncSession, account_id: int) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(
            select(Filter).where(Filter.account_id == account_id).order_by(Filter.id)
        )
    ).all()
    return await _render_filters(session, rows)


async def get_filter(*, session: AsyncSession, account_id: int, filter_id: int) -> dict[str, Any]:
    row = await _owned(session, account_id, filter_id)
    return (await _render_filters(session, [row]))[0]


async def create_filter(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    title: str | None,
    context: Sequence[str] | None,
    action: str | None = None,
    expires_in: int | None = None,
    keywords: Sequence[KeywordChange] = (),
) -> dict[str, Any]:
    row = Filter(
        id=new_id(),
        account_id=account_id,
        title=checked_text(title, "Title"),
        context=checked_context(context),
        action=_action(action or "warn"),
    )
    set_expiry(row, expires_in)
    if any(change.id is not None for change in keywords):
        raise NotFound()  # as Mastodon: a new filter has no keywords to change
    added = [change for change in keywords if not change.destroy]
    if len(added) > MAX_KEYWORDS:
        raise Unprocessable(f"Validation failed: a filter holds at most {MAX_KEYWORDS} keywords")
    if await count_of(session, Filter.id, Filter.account_id == account_id) >= MAX_FILTERS:
        raise Unprocessable(f"Validation failed: at most {MAX_FILTERS} filters")
    session.add(row)
    await session.flush()
    for change in added:
        session.add(_new_keyword(row.id, change))
    await session.flush()
    rendered = (await _render_filters(session, [row]))[0]
    await save_change(session, runtime, account_id)
    return rendered


def _new_keyword(filter_id: int, change: KeywordChange) -> FilterKeyword:
    return FilterKeyword(
        id=new_id(),
        filter_id=filter_id,
        keyword=checked_text(change.keyword, "Keyword"),
        whole_word=True if change.whole_word is None else change.whole_word,
    )


async def update_filter(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    filter_id: int,
    title: str | None = None,
    context: Sequence[str] | None = None,
    action: str | None = None,
    expires_in: int | None | Keep = KEEP,
    keywords: Sequence[KeywordChange] = (),
) -> dict[str, Any]:
    row = await _owned(session, account_id, filter_id)
    if title is not None:
        row.title = checked_text(title, "Title")
    if context is not None:
        row.context = checked_context(context)
    if action is not None:
        row.action = _action(action)
    set_expiry(row, expires_in)
    existing = {
        k.id: k
        for k in (
            await session.scalars(select(FilterKeyword).where(FilterKeyword.filter_id == row.id))
        ).all()
    }
    for change in keywords:
        if change.id is None:
            if not change.destroy:
                session.add(_new_keyword(row.id, change))
            continue
        keyword = existing.get(change.id)
        if keyword is None:
            raise NotFound()
        if change.destroy:
            await session.delete(keyword)
            continue
        if change.keyword is not None:
            keyword.keyword = checked_text(change.keyword, "Keyword")
        if change.whole_word is not None:
            keyword.whole_word = change.whole_word
    await session.flush()
    if keywords:
        await _check_keyword_room(session, row.id, 0)
    rendered = (await _render_filters(session, [row]))[0]
    await save_change(session, runtime, account_id)
    return rendered


async def delete_filter(
    *, session: AsyncSession, runtime: Runtime, account_id: int, filter_id: int
) -> None:
    row = await _owned(session, account_id, filter_id)
    await session.delete(row)
    await save_change(session, runtime, account_id)


# ---- v2: keywords ----


async def list_keywords(
    *, session: AsyncSession, account_id: int, filter_id: int
) -> list[dict[str, Any]]:
    row = await _owned(session, account_id, filter_id)
    keywords = await session.scalars(
        select(FilterKeyword).where(FilterKeyword.filter_id == row.id).order_by(FilterKeyword.id)
    )
    return [render_keyword(k) for k in keywords.all()]


async def add_keyword(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    filter_id: int,
    keyword: str | None,
    whole_word: bool | None = None,
) -> dict[str, Any]:
    row = await _owned(session, account_id, filter_id)
    await _check_keyword_room(session, row.id, 1)
    added = _new_keyword(row.id, KeywordChange(keyword=keyword, whole_word=whole_word))
    session.add(added)
    await session.flush()
    rendered = render_keyword(added)
    await save_change(session, runtime, account_id)
    return rendered


async def get_keyword(*, session: AsyncSession, account_id: int, keyword_id: int) -> dict[str, Any]:
    _, keyword = await owned_keyword(session, account_id, keyword_id)
    return render_keyword(keyword)


async def update_keyword(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    keyword_id: int,
    keyword: str | None,
    whole_word: bool | None = None,
) -> dict[str, Any]:
    _, row = await owned_keyword(session, account_id, keyword_id)
    row.keyword = checked_text(keyword, "Keyword")
    if whole_word is not None:
        row.whole_word = whole_word
    rendered = render_keyword(row)
    await save_change(session, runtime, account_id)
    return rendered


async def delete_keyword(
    *, session: AsyncSession, runtime: Runtime, account_id: int, keyword_id: int
) -> None:
    _, row = await owned_keyword(session, account_id, keyword_id)
    await session.delete(row)
    await save_change(session, runtime, account_id)


# ---- v2: statuses ----


async def list_filter_statuses(
    *, session: AsyncSession, account_id: int, filter_id: int
) -> list[dict[str, Any]]:
    row = await _owned(session, account_id, filter_id)
    found = await session.scalars(
        select(FilterStatus).where(FilterStatus.filter_id == row.id).order_by(FilterStatus.id)
    )
    return [render_filter_status(s) for s in found.all()]


async def add_filter_status(
    *, session: AsyncSession, runtime: Runtime, account_id: int, filter_id: int, status_id: int
) -> dict[str, Any]:
    row = await _owned(session, account_id, filter_id)
    status = await get_visible(session, account_id, status_id)
    taken = await session.scalar(
        select(FilterStatus.id).where(
            FilterStatus.filter_id == row.id, FilterStatus.status_id == status.id
        )
    )
    if taken is not None:
        raise Unprocessable("Validation failed: Status has already been taken")
    if await count_of(session, FilterStatus.id, FilterStatus.filter_id == row.id) >= MAX_STATUSES:
        raise Unprocessable(f"Validation failed: a filter holds at most {MAX_STATUSES} statuses")
    added = FilterStatus(id=new_id(), filter_id=row.id, status_id=status.id)
    session.add(added)
    await session.flush()
    rendered = render_filter_status(added)
    await save_change(session, runtime, account_id)
    return rendered


async def _owned_filter_status(
    session: AsyncSession, account_id: int, filter_status_id: int
) -> FilterStatus:
    found = await session.scalar(
        select(FilterStatus)
        .join(Filter, Filter.id == FilterStatus.filter_id)
        .where(FilterStatus.id == filter_status_id, Filter.account_id == account_id)
    )
    if found is None:
        raise NotFound()
    return found


async def get_filter_status(
    *, session: AsyncSession, account_id: int, filter_status_id: int
) -> dict[str, Any]:
    return render_filter_status(await _owned_filter_status(session, account_id, filter_status_id))


async def remove_filter_status(
    *, session: AsyncSession, runtime: Runtime, account_id: int, filter_status_id: int
) -> dict[str, Any]:
    row = await _owned_filter_status(session, account_id, filter_status_id)
    rendered = render_filter_status(row)
    await session.delete(row)
    await save_change(session, runtime, account_id)
    return rendered
