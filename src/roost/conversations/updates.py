"""Keeping each participant's conversations current (Mastodon's
``AccountConversation.add_status`` / ``remove_status``).

``post_status`` records which thread a direct post belongs to inside its own
transaction (``record_direct_status``); the rest runs as outbox jobs after commit,
like timeline fan-out (timelines/fanout.py): ``update_conversations`` puts the post
at the top of the conversation of every participant (unread for the recipients, read
for the author) and tells their ``direct`` streams; ``repair_conversations`` gives a
conversation whose last post was deleted the post before it, or removes it when none
is left. Both are idempotent: a retried job leaves the same rows.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from roost.conversations.models import AccountConversation, ConversationStatus
from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.follows.relations import blocked_either_way
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.statuses.models import Mention, Status
from roost.streaming.publish import publish_conversation

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def record_direct_status(session: AsyncSession, runtime: Runtime, status: Status) -> None:
    """Inside the post's transaction: the thread of a direct post (its parent's, when
    the parent was direct too, else a new one), and the job that updates conversations."""
    conversation_id = None
    if status.in_reply_to_id is not None:
        conversation_id = await session.scalar(
            select(ConversationStatus.conversation_id).where(
                ConversationStatus.status_id == status.in_reply_to_id
            )
        )
    session.add(
        ConversationStatus(status_id=status.id, conversation_id=conversation_id or new_id())
    )
    schedule_job(session, runtime, "update_conversations", status_id=status.id)


def schedule_conversation_repair(
    session: AsyncSession, runtime: Runtime, *, status_id: int
) -> None:
    """After a direct post is deleted: repair the conversations it was last in."""
    schedule_job(session, runtime, "repair_conversations", status_id=status_id)


def participants_key(participant_ids: list[int]) -> str:
    return hashlib.sha1(",".join(map(str, participant_ids)).encode()).hexdigest()


async def _participants(session: AsyncSession, status: Status) -> list[int]:
    """Everyone in a direct post: its author and the people it mentions, sorted."""
    mentioned = await session.scalars(
        select(Mention.account_id).where(Mention.status_id == status.id)
    )
    return sorted({status.account_id, *mentioned})


@job("update_conversations")
async def update_conversations(runtime: Runtime, *, status_id: int) -> None:
    async with runtime.db.write() as session:
        status = await session.get(Status, status_id)
        conversation_id = await session.scalar(
            select(ConversationStatus.conversation_id).where(
                ConversationStatus.status_id == status_id
            )
        )
        if status is None or conversation_id is None:  # deleted before the job ran
            return
        everyone = await _participants(session, status)
        owners = [
            owner
            for owner in everyone
            if owner == status.account_id
            or not await blocked_either_way(session, one=owner, other=status.account_id)
        ]
        for owner in owners:
            others = [p for p in everyone if p != owner]
            await _upsert(
                session,
                account_id=owner,
                conversation_id=conversation_id,
                participants=others,
                status_id=status.id,
                unread=owner != status.account_id,
            )
        rows = await session.execute(
            select(AccountConversation.account_id, AccountConversation.id).where(
                AccountConversation.conversation_id == conversation_id,
                AccountConversation.last_status_id == status.id,
                AccountConversation.account_id.in_(owners),
            )
        )
        touched = list(rows.all())
        await session.commit()
    for owner, row_id in touched:
        await publish_conversation(runtime, owner, row_id)


async def _upsert(
    session: AsyncSession,
    *,
    account_id: int,
    conversation_id: int,
    participants: list[int],
    status_id: int,
    unread: bool,
) -> None:
    """The owner's conversation with ``participants`` in this thread ends at
    ``status_id`` unless it already ends at a later post (one statement, so two jobs
    of one thread racing cannot both insert)."""
    table = AccountConversation.__table__
    dialect = session.get_bind().dialect.name
    insert = (
        postgresql.insert(AccountConversation)
        if dialect == "postgresql"
        else sqlite.insert(AccountConversation)
    )
    values = insert.values(
        id=new_id(),
        account_id=account_id,
        conversation_id=conversation_id,
        participant_ids=",".join(map(str, participants)),
        participants_key=participants_key(participants),
        last_status_id=status_id,
        unread=unread,
        updated_at=utcnow(),
    )
    newer = values.excluded.last_status_id > table.c.last_status_id
    await session.execute(
        values.on_conflict_do_update(
            index_elements=["account_id", "conversation_id", "participants_key"],
            set_={
                "last_status_id": case(
                    (newer, values.excluded.last_status_id), else_=table.c.last_status_id
                ),
                "unread": case((newer, values.excluded.unread), else_=table.c.unread),
                "updated_at": case((newer, values.excluded.updated_at), else_=table.c.updated_at),
            },
        )
    )


@job("repair_conversations")
async def repair_conversations(runtime: Runtime, *, status_id: int) -> None:
    """Conversations whose last post was ``status_id`` (now deleted) end at the latest
    post of theirs left, or are removed when none is."""
    async with runtime.db.write() as session:
        stale = list(
            (
                await session.scalars(
                    select(AccountConversation).where(
                        AccountConversation.last_status_id == status_id
                    )
                )
            ).all()
        )
        for conversation in stale:
            previous = await _latest_left(session, conversation)
            if previous is None:
                await session.execute(
                    delete(AccountConversation).where(AccountConversation.id == conversation.id)
                )
            else:
                await session.execute(
                    update(AccountConversation)
                    .where(AccountConversation.id == conversation.id)
                    .values(last_status_id=previous)
                )
        await session.commit()
    for conversation in stale:
        await publish_conversation(runtime, conversation.account_id, conversation.id)


async def _latest_left(session: AsyncSession, conversation: AccountConversation) -> int | None:
    """The newest post of the thread with exactly this owner and these participants."""
    wanted = sorted({conversation.account_id, *conversation.participants})
    rows = await session.scalars(
        select(Status)
        .join(ConversationStatus, ConversationStatus.status_id == Status.id)
        .where(ConversationStatus.conversation_id == conversation.conversation_id)
        .order_by(Status.id.desc())
    )
    for status in rows.all():
        if await _participants(session, status) == wanted:
            return status.id
    return None
