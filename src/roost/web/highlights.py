"""What the explore screen shows beside the public timeline, what a profile shows of
its featured tags, and what settings show of preferences and featured tags: the same
services as the API, in the amounts a screen has room for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from roost.discovery import suggestions, trends
from roost.featured_tags import service as featured

if TYPE_CHECKING:
    from roost.runtime import Runtime

EXPLORE_TAGS = 5
EXPLORE_POSTS = 3
EXPLORE_SUGGESTIONS = 3


async def explore_highlights(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int | None
) -> dict[str, Any]:
    """Trending tags (with this week's uses and people), trending posts, and for a
    signed-in person whom to follow."""
    base_url = runtime.settings.base_url
    tags = await trends.trending_tags(
        session=session, base_url=base_url, limit=EXPLORE_TAGS, offset=0
    )
    for tag in tags:
        tag["week_uses"] = sum(int(day["uses"]) for day in tag["history"])
        tag["week_people"] = max((int(day["accounts"]) for day in tag["history"]), default=0)
        tag["slug"] = tag["url"].rsplit("/", 1)[-1]
    posts = await trends.trending_statuses(
        session=session, runtime=runtime, viewer_id=viewer_id, limit=EXPLORE_POSTS, offset=0
    )
    people: list[dict[str, Any]] = []
    if viewer_id is not None:
        chosen = await suggestions.suggest_accounts(
            session=session, viewer_id=viewer_id, limit=EXPLORE_SUGGESTIONS
        )
        rendered = await runtime.accounts.rendered(session, (a for a, _ in chosen))
        people = [rendered[a] for a, _ in chosen if a in rendered]
    return {"trending_tags": tags, "trending_posts": posts, "suggested_people": people}


async def featured_tags_of(
    *, session: AsyncSession, runtime: Runtime, account_id: int
) -> list[dict[str, Any]]:
    return await featured.featured_tags(
        session=session, account_id=account_id, base_url=runtime.settings.base_url
    )


async def featured_tags_settings(
    *, session: AsyncSession, runtime: Runtime, account_id: int
) -> dict[str, Any]:
    base_url = runtime.settings.base_url
    return {
        "featured_tags": await featured.featured_tags(
            session=session, account_id=account_id, base_url=base_url
        ),
        "tag_suggestions": await featured.suggested_tags(
            session=session, account_id=account_id, base_url=base_url
        ),
    }
