"""A status's thread: the posts it replies to, and the replies below it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.statuses.lookup import get_visible_original, visible_statuses
from roost.statuses.models import Status

MAX_ANCESTORS = 40
MAX_DESCENDANTS = 4096
MAX_DEPTH = 256


@dataclass(frozen=True)
class Context:
    ancestors: list[Status]  # oldest first
    descendants: list[Status]  # thread order: each reply followed by its own replies


async def thread_context(
    *, session: AsyncSession, viewer_id: int | None, status_id: int
) -> Context:
    status = await get_visible_original(session, viewer_id, status_id)
    ancestors = await _ancestors(session, status)
    descendants = await _descendants(session, status)
    return Context(
        # A thread opened on purpose shows the muted people it runs through above the
        # post, but their replies below it stay hidden, as on Mastodon.
        ancestors=await visible_statuses(session, viewer_id, ancestors),
        descendants=await visible_statuses(session, viewer_id, descendants, hide_muted=True),
    )


async def _ancestors(session: AsyncSession, status: Status) -> list[Status]:
    if status.in_reply_to_id is None:
        return []
    chain = (
        select(Status.id, Status.in_reply_to_id, literal(1).label("depth"))
        .where(Status.id == status.in_reply_to_id)
        .cte("ancestors", recursive=True)
    )
    chain = chain.union_all(
        select(Status.id, Status.in_reply_to_id, chain.c.depth + 1).where(
            Status.id == chain.c.in_reply_to_id, chain.c.depth < MAX_ANCESTORS
        )
    )
    rows = await session.scalars(
        select(Status).where(Status.id.in_(select(chain.c.id))).order_by(Status.id)
    )
    return list(rows.all())


async def _descendants(session: AsyncSession, status: Status) -> list[Status]:
    tree = (
        select(Status.id, literal(1).label("depth"))
        .where(Status.in_reply_to_id == status.id)
        .cte("descendants", recursive=True)
    )
    tree = tree.union_all(
        select(Status.id, tree.c.depth + 1).where(
            Status.in_reply_to_id == tree.c.id, tree.c.depth < MAX_DEPTH
        )
    )
    rows = await session.scalars(
        select(Status)
        .where(Status.id.in_(select(tree.c.id)))
        .order_by(Status.id)
        .limit(MAX_DESCENDANTS)
    )
    children: dict[int, list[Status]] = defaultdict(list)
    for reply in rows.all():
        assert reply.in_reply_to_id is not None
        children[reply.in_reply_to_id].append(reply)
    ordered: list[Status] = []
    stack = list(reversed(children.get(status.id, [])))
    while stack:
        current = stack.pop()
        ordered.append(current)
        stack.extend(reversed(children.get(current.id, [])))
    return ordered
