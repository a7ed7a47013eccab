"""Mastodon's Conversation entity, rendered for a whole page at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.conversations.models import AccountConversation
from roost.statuses.render import load_statuses, render_statuses

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def render_conversations(
    session: AsyncSession,
    conversations: Sequence[AccountConversation],
    viewer_id: int,
    *,
    runtime: Runtime,
) -> list[dict[str, Any]]:
    """Each with ``accounts`` (the other participants; oneself when talking to oneself)
    and ``last_status`` (null while a deleted last post awaits its repair job)."""
    if not conversations:
        return []
    wanted = {p for c in conversations for p in c.participants} | {viewer_id}
    accounts = {
        a.id: a
        for a in (await session.scalars(select(Account).where(Account.id.in_(wanted)))).all()
    }
    loaded = await load_statuses(session, (c.last_status_id for c in conversations))
    ordered = list(loaded.values())
    rendered = {
        int(item["id"]): item
        for item in await render_statuses(session, ordered, viewer_id, runtime=runtime)
    }
    base_url = runtime.settings.base_url
    result = []
    for conversation in conversations:
        people = conversation.participants or [viewer_id]
        result.append(
            {
                "id": str(conversation.id),
                "unread": conversation.unread,
                "accounts": [
                    render_account(accounts[p], base_url=base_url) for p in people if p in accounts
                ],
                "last_status": rendered.get(conversation.last_status_id),
            }
        )
    return result
