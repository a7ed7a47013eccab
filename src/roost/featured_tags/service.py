"""Hashtags people feature on their profiles, with counts computed from their posts.

``statuses_count`` and ``last_status_at`` are read when the list is (one grouped query
over the account's tagged posts, public and unlisted only, as Mastodon counts them),
so they never go stale and nothing has to update them when someone posts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import new_id
from roost.discovery.trends import render_trending_tag, tag_histories
from roost.featured_tags.models import FeaturedTag
from roost.statuses.formatting import hashtag_name
from roost.statuses.models import Status, StatusTag, Tag
from roost.statuses.service import tag_ids
from roost.statuses.visibility import LISTED_VISIBILITIES

MAX_FEATURED_TAGS = 10  # Mastodon's FeaturedTag::LIMIT
SUGGESTED_TAGS = 10


async def featured_tags(
    *, session: AsyncSession, account_id: int, base_url: str
) -> list[dict[str, Any]]:
    """The account's featured tags, oldest first, with their counts."""
    account = await session.get(Account, account_id)
    if account is None or not account.approved:
        raise NotFound()
    rows = await session.execute(
        select(FeaturedTag, Tag)
        .join(Tag, Tag.id == FeaturedTag.tag_id)
        .where(FeaturedTag.account_id == account_id)
        .order_by(FeaturedTag.id)
    )
    pairs = rows.all()
    counts = await _counts(session, account_id, [tag.id for _, tag in pairs])
    return [
        render_featured_tag(featured, tag, account, counts.get(tag.id), base_url)
        for featured, tag in pairs
    ]


async def _counts(
    session: AsyncSession, account_id: int, tag_ids_: list[int]
) -> dict[int, tuple[int, Any]]:
    if not tag_ids_:
        return {}
    rows = await session.execute(
        select(StatusTag.tag_id, func.count(Status.id), func.max(Status.created_at))
        .join(Status, Status.id == StatusTag.status_id)
        .where(
            Status.account_id == account_id,
            StatusTag.tag_id.in_(tag_ids_),
            Status.visibility.in_(LISTED_VISIBILITIES),
            Status.reblog_of_id.is_(None),
        )
        .group_by(StatusTag.tag_id)
    )
    return {tag_id: (count, last) for tag_id, count, last in rows.all()}


def render_featured_tag(
    featured: FeaturedTag,
    tag: Tag,
    account: Account,
    counts: tuple[int, Any] | None,
    base_url: str,
) -> dict[str, Any]:
    count, last = counts if counts is not None else (0, None)
    return {
        "id": str(featured.id),
        "name": tag.display_name,
        "url": f"{base_url}/@{account.username}/tagged/{tag.name}",
        "statuses_count": str(count),
        "last_status_at": last.strftime("%Y-%m-%d") if last is not None else None,
    }


async def feature_tag(
    *, session: AsyncSession, account: Account, name: str, base_url: str
) -> dict[str, Any]:
    """Feature ``name`` (created as a tag if nobody used it yet) on the profile."""
    wanted = hashtag_name(name)
    if wanted is None:
        raise Unprocessable("Validation failed: Tag is invalid")
    count = await session.scalar(
        select(func.count()).select_from(FeaturedTag).where(FeaturedTag.account_id == account.id)
    )
    if (count or 0) >= MAX_FEATURED_TAGS:
        raise Unprocessable(
            f"Validation failed: You can only feature up to {MAX_FEATURED_TAGS} hashtags"
        )
    (tag_id,) = await tag_ids(session, [wanted])
    featured = FeaturedTag(id=new_id(), account_id=account.id, tag_id=tag_id, created_at=utcnow())
    session.add(featured)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Unprocessable("Validation failed: Tag has already been taken") from exc
    tag = await session.get(Tag, tag_id)
    assert tag is not None
    counts = await _counts(session, account.id, [tag_id])
    rendered = render_featured_tag(featured, tag, account, counts.get(tag_id), base_url)
    await commit(session)
    return rendered


async def unfeature_tag(*, session: AsyncSession, account_id: int, featured_tag_id: int) -> None:
    featured = await session.get(FeaturedTag, featured_tag_id)
    if featured is None or featured.account_id != account_id:
        raise NotFound()
    await session.delete(featured)
    await commit(session)


async def suggested_tags(
    *, session: AsyncSession, account_id: int, base_url: str
) -> list[dict[str, Any]]:
    """The tags the account used most recently and does not feature yet (up to ten)."""
    featured = select(FeaturedTag.tag_id).where(FeaturedTag.account_id == account_id)
    last_used = func.max(Status.id)
    rows = await session.scalars(
        select(Tag)
        .join(StatusTag, StatusTag.tag_id == Tag.id)
        .join(Status, Status.id == StatusTag.status_id)
        .where(Status.account_id == account_id, Tag.id.not_in(featured))
        .group_by(Tag.id)
        .order_by(last_used.desc())
        .limit(SUGGESTED_TAGS)
    )
    tags = list(rows.all())
    histories = await tag_histories(session, [tag.id for tag in tags], utcnow())
    return [
        {"id": str(tag.id), **render_trending_tag(tag, histories[tag.id], base_url)} for tag in tags
    ]
