"""Insert posts straight into the database (the FTS triggers index them on insert)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.runtime import Runtime
from roost.statuses.models import Mention, Status, StatusTag, Tag
from tests.factories import User


async def post(
    runtime: Runtime,
    author: User,
    text: str = "",
    *,
    visibility: str = "public",
    spoiler_text: str = "",
    mentions: Sequence[User] = (),
    tags: Sequence[str] = (),
    reblog_of: int | None = None,
) -> int:
    status_id = new_id()
    async with runtime.db.write() as session:
        session.add(
            Status(
                id=status_id,
                account_id=author.account.id,
                text=text,
                content=f"<p>{text}</p>" if text else "",
                spoiler_text=spoiler_text,
                visibility=visibility,
                reblog_of_id=reblog_of,
                created_at=utcnow(),
            )
        )
        await session.flush()
        for person in mentions:
            session.add(Mention(id=new_id(), status_id=status_id, account_id=person.account.id))
        for name in tags:
            tag = await session.scalar(select(Tag).where(Tag.name == name.lower()))
            if tag is None:
                tag = Tag(id=new_id(), name=name.lower(), display_name=name)
                session.add(tag)
                await session.flush()
            session.add(StatusTag(status_id=status_id, tag_id=tag.id))
        await session.commit()
    return status_id
