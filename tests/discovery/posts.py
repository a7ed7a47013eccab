"""Posts written some days ago: ids are snowflakes, so a post's age is in its id too."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from roost.core.db import utcnow
from roost.core.ids import lowest_id_at, new_id
from roost.runtime import Runtime
from roost.statuses.models import Status, StatusTag, Tag
from tests.factories import User


async def post_ago(
    runtime: Runtime,
    author: User,
    *,
    days: float,
    tags: Sequence[str] = (),
    visibility: str = "public",
    text: str = "",
) -> int:
    """A post by ``author`` written ``days`` ago, with these hashtags."""
    created_at = utcnow() - timedelta(days=days)
    status_id = lowest_id_at(int(created_at.timestamp() * 1000)) + random.randrange(1, 1 << 20)
    async with runtime.db.write() as session:
        session.add(
            Status(
                id=status_id,
                account_id=author.account.id,
                text=text or " ".join(f"#{t}" for t in tags),
                content=f"<p>{text}</p>",
                visibility=visibility,
                created_at=created_at,
            )
        )
        await session.flush()
        for name in tags:
            tag = await session.scalar(select(Tag).where(Tag.name == name.lower()))
            if tag is None:
                tag = Tag(id=new_id(), name=name.lower(), display_name=name)
                session.add(tag)
                await session.flush()
            session.add(StatusTag(status_id=status_id, tag_id=tag.id))
        await session.commit()
    return status_id
