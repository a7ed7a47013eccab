from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow

REPLIES_POLICIES = ("followed", "list", "none")


class List(Base):
    """A list of followed accounts, with a timeline of its own (timelines/)."""

    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    replies_policy: Mapped[str] = mapped_column(String(10), default="list")
    # Members' posts leave the owner's home timeline (recipients.py).
    exclusive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListAccount(Base):
    """A member of a list: always someone the list's owner follows."""

    __tablename__ = "list_accounts"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Paging order of the members (when they were added).
    id: Mapped[int] = mapped_column(unique=True)
