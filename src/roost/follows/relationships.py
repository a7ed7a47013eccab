"""The Mastodon Relationship entity: how the viewer and each other account relate."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.follows.relations import load_graph


async def relationships(
    session: AsyncSession, *, viewer_id: int, target_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """One Relationship per existing account in ``target_ids``, in that order."""
    wanted = list(dict.fromkeys(target_ids))
    if not wanted:
        return []
    existing = set((await session.scalars(select(Account.id).where(Account.id.in_(wanted)))).all())
    ids = [target for target in wanted if target in existing]
    if not ids:
        return []
    graph = await load_graph(session, viewer_id=viewer_id, ids=ids)
    return [
        render_relationship(
            target,
            following=graph.following.get(target),
            followed_by=target in graph.followed_by,
            blocking=target in graph.blocking,
            blocked_by=target in graph.blocked_by,
            muting=graph.muting.get(target),
            requested=graph.requested.get(target),
            requested_by=target in graph.requested_by,
            note=graph.notes.get(target, ""),
        )
        for target in ids
    ]


def render_relationship(
    target_id: int,
    *,
    following: tuple[bool, bool] | None,
    followed_by: bool,
    blocking: bool,
    blocked_by: bool,
    muting: bool | None,
    requested: tuple[bool, bool] | None = None,
    requested_by: bool = False,
    note: str = "",
) -> dict[str, Any]:
    """``following`` is (show_reblogs, notify) when the viewer follows, ``requested``
    the same options of a follow request waiting (shown as Mastodon does while it
    waits); ``muting`` is hide_notifications when the viewer mutes."""
    options = following if following is not None else requested
    return {
        "id": str(target_id),
        "following": following is not None,
        "showing_reblogs": options is not None and options[0],
        "notifying": options is not None and options[1],
        "languages": None,
        "followed_by": followed_by,
        "blocking": blocking,
        "blocked_by": blocked_by,
        "muting": muting is not None,
        "muting_notifications": bool(muting),
        "requested": requested is not None and following is None,
        "requested_by": requested_by,
        "domain_blocking": False,
        "endorsed": False,
        "note": note,
    }
