from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class OutboxJob(Base):
    """A side effect owed to committed data: written in the same transaction as
    the data, deleted once the job has run. The sweep re-drives what is left."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (Index("ix_outbox_jobs_next_attempt_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
