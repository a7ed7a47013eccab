"""Applying a viewer's filters to what a read path rendered: the call every filtered
path makes (statuses/render.py for pages of statuses, notifications/render.py for
notifications), with the place shown as Mastodon's filter context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.versions import Watch
from roost.filters.matching import StatusOf, status_itself

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def apply_filters(
    session: AsyncSession,
    items: list[dict[str, Any]],
    *,
    runtime: Runtime,
    viewer_id: int,
    context: str,
    status_of: StatusOf = status_itself,
    watch: Watch | None = None,
) -> list[dict[str, Any]]:
    """``items`` without those a ``hide`` filter of the viewer matches in ``context``,
    the others' statuses with ``filtered`` set (``matching.py`` holds the rule)."""
    filters = await runtime.filters.load(session, viewer_id, watch=watch)
    return filters.apply(items, context, status_of=status_of, watch=watch)
