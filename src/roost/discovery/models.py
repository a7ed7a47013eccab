from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class SuggestionDismissal(Base):
    """Someone asked never to be suggested this account again
    (DELETE /api/v1/suggestions/:account_id)."""

    __tablename__ = "suggestion_dismissals"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    target_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
