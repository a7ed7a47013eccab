from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class Report(Base):
    """A report someone filed against an account (``reports/service.py``), and where
    the moderators stand with it (``reports/review.py``): who took it on, whether it is
    resolved (``action_taken``) and by whom."""

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
    # The instance rules a ``violation`` names (ids of ``instance/rules.py``); None for
    # any other category, as Mastodon answers ``rule_ids``.
    rule_ids: Mapped[list[int] | None] = mapped_column(JSON, default=None)
    action_taken: Mapped[bool] = mapped_column(default=False)  # resolved
    action_taken_at: Mapped[datetime | None] = mapped_column(default=None)
    # The moderator who resolved it, and the one who took it on; a moderator's account
    # deleted leaves the report unassigned (SET NULL), not gone.
    action_taken_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    assigned_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # the last action on it


class ReportStatus(Base):
    """A post attached to a report. ``status_id`` has no foreign key on purpose: a report
    keeps the ids of the posts it names after their author deletes them (as Mastodon
    keeps a report's ``status_ids``), so deleting the evidence does not empty the report."""

    __tablename__ = "report_statuses"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    status_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
