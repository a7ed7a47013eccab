"""Reading and tidying one's own conversations (``/api/v1/conversations``)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.conversations.models import AccountConversation
from roost.core.db import commit
from roost.core.errors import NotFound
from roost.core.paging import Page, Window, paginate
from roost.statuses.models import Status


async def list_conversations(
    *, session: AsyncSession, viewer_id: int, window: Window
) -> Page[AccountConversation]:
    """The viewer's conversations, the one with the newest post first, paged by the id
    of that post (as Mastodon pages them)."""
    query = select(AccountConversation).where(AccountConversation.account_id == viewer_id)
    return await paginate(session, query, key=AccountConversation.last_status_id, page=window)


async def get_conversation(
    *, session: AsyncSession, viewer_id: int, conversation_id: int
) -> AccountConversation:
    conversation = await session.scalar(
        select(AccountConversation).where(
            AccountConversation.id == conversation_id,
            AccountConversation.account_id == viewer_id,
        )
    )
    if conversation is None:
        raise NotFound()
    return conversation


async def mark_conversation_read(
    *, session: AsyncSession, viewer_id: int, conversation_id: int
) -> AccountConversation:
    conversation = await get_conversation(
        session=session, viewer_id=viewer_id, conversation_id=conversation_id
    )
    await session.execute(
        update(AccountConversation)
        .where(AccountConversation.id == conversation.id)
        .values(unread=False)
    )
    await commit(session)
    await session.refresh(conversation)
    return conversation


async def remove_conversation(
    *, session: AsyncSession, viewer_id: int, conversation_id: int
) -> None:
    """Take the conversation off the viewer's list (the others keep theirs); a new
    post in it brings it back."""
    result = await session.execute(
        delete(AccountConversation).where(
            AccountConversation.id == conversation_id,
            AccountConversation.account_id == viewer_id,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound()
    await commit(session)


async def last_post_author(
    *, session: AsyncSession, conversation: AccountConversation
) -> str | None:
    """The username of whoever wrote the conversation's last post (None: it is gone)."""
    return await session.scalar(
        select(Account.username)
        .join(Status, Status.account_id == Account.id)
        .where(Status.id == conversation.last_status_id)
    )
