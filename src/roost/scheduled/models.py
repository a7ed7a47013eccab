from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class ScheduledStatus(Base):
    """A post to publish at ``scheduled_at``: what ``post_status`` will be given
    (``params``, the ScheduledStatus entity's own shape). The row is deleted in the
    transaction that publishes it, so it is published once."""

    __tablename__ = "scheduled_statuses"
    __table_args__ = (Index("ix_scheduled_statuses_account_id_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("oauth_apps.id", ondelete="SET NULL"), default=None
    )
    scheduled_at: Mapped[datetime] = mapped_column(index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
