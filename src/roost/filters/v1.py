"""Filters v1 (deprecated by Mastodon 4, still asked for by apps): one v1 filter per
keyword of a v2 filter, its id the keyword's, as Mastodon 4 serves them. Changes go
through the same rows and the same commit as v2 (``service.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.errors import Unprocessable
from roost.core.http import iso
from roost.filters.models import Filter, FilterKeyword, FilterStatus
from roost.filters.service import (
    KEEP,
    Keep,
    KeywordChange,
    checked_context,
    checked_text,
    count_of,
    create_filter,
    owned_keyword,
    save_change,
    set_expiry,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime


def render_v1(row: Filter, keyword: FilterKeyword) -> dict[str, Any]:
    return {
        "id": str(keyword.id),
        "phrase": keyword.keyword,
        "context": row.context.split(","),
        "whole_word": keyword.whole_word,
        "expires_at": iso(row.expires_at) if row.expires_at is not None else None,
        "irreversible": row.action == "hide",
    }


async def list_v1(*, session: AsyncSession, account_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Filter, FilterKeyword)
        .join(FilterKeyword, FilterKeyword.filter_id == Filter.id)
        .where(Filter.account_id == account_id)
        .order_by(FilterKeyword.id)
    )
    return [render_v1(row, keyword) for row, keyword in rows.all()]


async def get_v1(*, session: AsyncSession, account_id: int, keyword_id: int) -> dict[str, Any]:
    row, keyword = await owned_keyword(session, account_id, keyword_id)
    return render_v1(row, keyword)


async def create_v1(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    phrase: str | None,
    context: Sequence[str] | None,
    irreversible: bool = False,
    whole_word: bool = True,
    expires_in: int | None = None,
) -> dict[str, Any]:
    """A filter titled with its phrase, holding that one keyword (as Mastodon 4)."""
    created = await create_filter(
        session=session,
        runtime=runtime,
        account_id=account_id,
        title=phrase,
        context=context,
        action="hide" if irreversible else "warn",
        expires_in=expires_in,
        keywords=[KeywordChange(keyword=phrase, whole_word=whole_word)],
    )
    keyword = created["keywords"][0]
    return {
        "id": keyword["id"],
        "phrase": keyword["keyword"],
        "context": created["context"],
        "whole_word": keyword["whole_word"],
        "expires_at": created["expires_at"],
        "irreversible": created["filter_action"] == "hide",
    }


async def update_v1(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    keyword_id: int,
    phrase: str | None = None,
    context: Sequence[str] | None = None,
    irreversible: bool | None = None,
    whole_word: bool | None = None,
    expires_in: int | None | Keep = KEEP,
) -> dict[str, Any]:
    """Phrase and whole_word change the keyword; context, irreversible and expiry change
    its filter, which Mastodon refuses for a filter holding several keywords."""
    row, keyword = await owned_keyword(session, account_id, keyword_id)
    if phrase is not None:
        keyword.keyword = checked_text(phrase, "Phrase")
    if whole_word is not None:
        keyword.whole_word = whole_word
    touches_filter = context is not None or irreversible is not None or expires_in != KEEP
    if touches_filter:
        others = await count_of(session, FilterKeyword.id, FilterKeyword.filter_id == row.id)
        if others > 1:
            raise Unprocessable(
                "Validation failed: this filter holds several keywords; change its "
                "context, action or expiry with the v2 filters API"
            )
    if context is not None:
        row.context = checked_context(context)
    if irreversible is not None:
        row.action = "hide" if irreversible else "warn"
    set_expiry(row, expires_in)
    rendered = render_v1(row, keyword)
    await save_change(session, runtime, account_id)
    return rendered


async def delete_v1(
    *, session: AsyncSession, runtime: Runtime, account_id: int, keyword_id: int
) -> None:
    """Delete the keyword, and its filter when nothing else is left in it (the filter a
    v1 client made)."""
    row, keyword = await owned_keyword(session, account_id, keyword_id)
    await session.delete(keyword)
    await session.flush()
    left = await count_of(session, FilterKeyword.id, FilterKeyword.filter_id == row.id)
    statuses = await count_of(session, FilterStatus.id, FilterStatus.filter_id == row.id)
    if not left and not statuses:
        await session.execute(delete(Filter).where(Filter.id == row.id))
    await save_change(session, runtime, account_id)
