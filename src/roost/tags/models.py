from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class TagFollow(Base):
    """A followed hashtag: its public posts enter the follower's home (recipients.py)."""

    __tablename__ = "tag_follows"
    __table_args__ = (UniqueConstraint("account_id", "tag_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
