from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class ConversationStatus(Base):
    """Which thread of direct posts a direct status belongs to (Mastodon's
    ``statuses.conversation_id``, kept beside the status so its table stays as it is).

    A direct reply joins its parent's thread; any other direct post starts one."""

    __tablename__ = "conversation_statuses"
    __table_args__ = (Index("ix_conversation_statuses_conversation_id", "conversation_id"),)

    status_id: Mapped[int] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    conversation_id: Mapped[int]


class AccountConversation(Base):
    """One person's view of one thread with one set of other people (Mastodon's
    AccountConversation): what ``/api/v1/conversations`` lists."""

    __tablename__ = "account_conversations"
    __table_args__ = (
        UniqueConstraint(
            "account_id",
            "conversation_id",
            "participants_key",
            name="uq_account_conversations_thread",
        ),
        Index("ix_account_conversations_account_id_last_status_id", "account_id", "last_status_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    conversation_id: Mapped[int]
    # The other participants' ids, sorted and comma-separated; the key is its SHA-1
    # (a hundred mentions would not fit a unique index).
    participant_ids: Mapped[str] = mapped_column(Text, default="")
    participants_key: Mapped[str] = mapped_column(String(40))
    # No foreign key: the row outlives a deleted last status until its job repairs it.
    last_status_id: Mapped[int]
    unread: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def participants(self) -> list[int]:
        return [int(part) for part in self.participant_ids.split(",") if part]
