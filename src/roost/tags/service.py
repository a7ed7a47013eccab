"""Followed hashtags: follow, unfollow, the list of them, and the Tag entity with
``following`` for the one who asks.

A followed tag's public posts enter the follower's home by the one rule of
timelines/recipients.py (fan-out, rebuild, merge); following a tag back-fills its
recent posts, as a follow does for an account; unfollowing takes out of home the
tag's posts the rule no longer admits (those of followed people stay), as Mastodon
4.3 does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import commit
from roost.core.errors import NotFound, Unprocessable
from roost.core.http import PageParams
from roost.core.ids import new_id
from roost.core.paging import Page, paginate
from roost.statuses.models import Tag
from roost.statuses.service import tag_ids
from roost.tags.models import TagFollow
from roost.timelines.fanout import schedule_merge_tag, schedule_unmerge_tag

if TYPE_CHECKING:
    from roost.runtime import Runtime

_NAME = re.compile(r"#?(\w{1,100})")


def render_tag(tag: Tag, base_url: str, *, following: bool | None = None) -> dict[str, Any]:
    """Mastodon's Tag entity; ``following`` only for a signed-in viewer."""
    rendered: dict[str, Any] = {
        "id": str(tag.id),
        "name": tag.display_name,
        "url": f"{base_url}/tags/{tag.name}",
        "history": [],
    }
    if following is not None:
        rendered["following"] = following
    return rendered


async def followed_among(session: AsyncSession, *, viewer_id: int, tag_ids: list[int]) -> set[int]:
    """Those of ``tag_ids`` the viewer follows."""
    if not tag_ids:
        return set()
    rows = await session.scalars(
        select(TagFollow.tag_id).where(
            TagFollow.account_id == viewer_id, TagFollow.tag_id.in_(tag_ids)
        )
    )
    return set(rows.all())


async def render_tags(
    session: AsyncSession, tags: list[Tag], *, base_url: str, viewer_id: int | None
) -> list[dict[str, Any]]:
    """Tag entities, with ``following`` when someone is signed in (one query)."""
    if viewer_id is None:
        return [render_tag(tag, base_url) for tag in tags]
    followed = await followed_among(session, viewer_id=viewer_id, tag_ids=[t.id for t in tags])
    return [render_tag(tag, base_url, following=tag.id in followed) for tag in tags]


async def is_following(session: AsyncSession, *, viewer_id: int, name: str) -> bool:
    """Whether the viewer follows the tag ``name`` (a tag nobody used: no)."""
    tag = await _find(session, name)
    if tag is None:
        return False
    return bool(await followed_among(session, viewer_id=viewer_id, tag_ids=[tag.id]))


async def read_tag(
    *, session: AsyncSession, runtime: Runtime, name: str, viewer_id: int | None
) -> dict[str, Any]:
    tag = await _find(session, name)
    if tag is None:
        raise NotFound()
    [rendered] = await render_tags(
        session, [tag], base_url=runtime.settings.base_url, viewer_id=viewer_id
    )
    return rendered


async def follow_tag(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, name: str
) -> dict[str, Any]:
    """Follow a hashtag (made if nobody used it yet); following it again changes
    nothing. Its recent public posts come into home after commit."""
    cleaned = _name(name)
    [tag_id] = await tag_ids(session, [cleaned])
    tag = await session.get(Tag, tag_id)
    assert tag is not None
    existing = await session.scalar(
        select(TagFollow.id).where(TagFollow.account_id == viewer_id, TagFollow.tag_id == tag_id)
    )
    if existing is None:
        session.add(TagFollow(id=new_id(), account_id=viewer_id, tag_id=tag_id))
        schedule_merge_tag(session, runtime, owner_id=viewer_id, tag_id=tag_id)
        runtime.versions.forget(session, "home", [viewer_id])
    rendered = render_tag(tag, runtime.settings.base_url, following=True)
    await commit(session)
    return rendered


async def unfollow_tag(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, name: str
) -> dict[str, Any]:
    tag = await _find(session, name)
    if tag is None:
        raise NotFound()
    removed = await session.execute(
        delete(TagFollow)
        .where(TagFollow.account_id == viewer_id, TagFollow.tag_id == tag.id)
        .returning(TagFollow.id)
    )
    if removed.first() is not None:
        schedule_unmerge_tag(session, runtime, owner_id=viewer_id, tag_id=tag.id)
    runtime.versions.forget(session, "home", [viewer_id])
    rendered = render_tag(tag, runtime.settings.base_url, following=False)
    await commit(session)
    return rendered


async def read_followed_tags(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, page: PageParams
) -> Page[dict[str, Any]]:
    """The viewer's followed tags, most recently followed first, paged by follow id."""
    query = (
        select(Tag)
        .join(TagFollow, TagFollow.tag_id == Tag.id)
        .where(TagFollow.account_id == viewer_id)
    )
    found = await paginate(session, query, key=TagFollow.id, page=page)
    base_url = runtime.settings.base_url
    return found.with_items([render_tag(t, base_url, following=True) for t in found.items])


async def _find(session: AsyncSession, name: str) -> Tag | None:
    match = _NAME.fullmatch(name.strip())
    if match is None:
        return None
    return await session.scalar(select(Tag).where(Tag.name == match.group(1).lower()))


def _name(name: str) -> str:
    match = _NAME.fullmatch(name.strip())
    if match is None:
        raise Unprocessable("Validation failed: Name is invalid")
    return match.group(1)
