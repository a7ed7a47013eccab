"""The filters tables: a person's filter groups, their keywords and their statuses.

One model serves both APIs: a v2 Filter is a row of ``filters`` with its keywords and
statuses; a v1 filter is one keyword of it (its id is the keyword's), as on Mastodon.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow

CONTEXTS = ("home", "notifications", "public", "thread", "account")
ACTIONS = ("warn", "hide", "blur")


class Filter(Base):
    """A filter group (Mastodon's Filter entity): where it applies, what it does."""

    __tablename__ = "filters"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(256))
    # The contexts, comma separated, in CONTEXTS order: "home,public".
    context: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(10), default="warn")
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FilterKeyword(Base):
    __tablename__ = "filter_keywords"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    filter_id: Mapped[int] = mapped_column(ForeignKey("filters.id", ondelete="CASCADE"), index=True)
    keyword: Mapped[str] = mapped_column(String(256))
    whole_word: Mapped[bool] = mapped_column(default=True)


class FilterStatus(Base):
    __tablename__ = "filter_statuses"
    __table_args__ = (UniqueConstraint("filter_id", "status_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    filter_id: Mapped[int] = mapped_column(ForeignKey("filters.id", ondelete="CASCADE"))
    status_id: Mapped[int] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
