from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class AdminActionLog(Base):
    """One thing a moderator did (``admin/audit.py``): who, what, to which record, and
    a sentence for people to read. The entry outlives both: a moderator's account
    deleted leaves ``account_id`` empty (the summary still names them), and a target
    is kept by type and id, with no foreign key."""

    __tablename__ = "admin_action_logs"
    __table_args__ = (Index("ix_admin_action_logs_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))  # Mastodon's: resolve, suspend, ...
    target_type: Mapped[str] = mapped_column(String(32))  # "Account", "Report"
    target_id: Mapped[int] = mapped_column()
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
