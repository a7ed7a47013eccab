from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class Report(Base):
    """A report someone filed against an account, kept for moderators to act on
    (``reports/service.py``). Nothing acts on it yet: ``action_taken`` stays false."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )  # who reported
    target_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    comment: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(16), default="other")
    forward: Mapped[bool] = mapped_column(default=False)  # asked for; nothing to forward to
    action_taken: Mapped[bool] = mapped_column(default=False)
    action_taken_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportStatus(Base):
    """A post attached to a report. ``status_id`` has no foreign key on purpose: a report
    keeps the ids of the posts it names after their author deletes them (as Mastodon
    keeps a report's ``status_ids``), so deleting the evidence does not empty the report."""

    __tablename__ = "report_statuses"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    status_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
