"""Muting a conversation: no more notifications about the posts of one thread
(``Status.thread_id``); the posts themselves stay where they are. notify()
(notifications/service.py) reads the mutes; render.py shows ``muted``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit, utcnow
from roost.core.ids import new_id
from roost.statuses.lookup import get_visible_original
from roost.statuses.models import ConversationMute, Status

if TYPE_CHECKING:
    from roost.runtime import Runtime


def thread_of(status: Status) -> int:
    return status.thread_id or status.id


async def mute_conversation(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    """Mute the thread of a post the viewer may see (a boost stands for its post)."""
    status = await get_visible_original(session, viewer.id, status_id)
    thread = thread_of(status)
    muted = await session.scalar(
        select(ConversationMute.id).where(
            ConversationMute.account_id == viewer.id, ConversationMute.thread_id == thread
        )
    )
    if muted is None:
        session.add(
            ConversationMute(
                id=new_id(), account_id=viewer.id, thread_id=thread, created_at=utcnow()
            )
        )
        try:
            await session.flush()
        except IntegrityError:  # muted concurrently: already done
            await session.rollback()
            return status
        runtime.versions.forget(session, "home", [viewer.id])
    await commit(session)
    return status


async def unmute_conversation(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, status_id: int
) -> Status:
    status = await get_visible_original(session, viewer.id, status_id)
    removed = await session.execute(
        delete(ConversationMute).where(
            ConversationMute.account_id == viewer.id,
            ConversationMute.thread_id == thread_of(status),
        )
    )
    if removed.rowcount:  # type: ignore[attr-defined]
        runtime.versions.forget(session, "home", [viewer.id])
    await commit(session)
    return status
