from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow

TYPES = (
    "mention",
    "follow",
    "favourite",
    "reblog",
    "follow_request",
    "status",
    "poll",
    "update",
    "admin.report",  # to staff who manage reports: one was filed (``reports/service.py``)
    "admin.sign_up",  # someone signed up: told to staff who manage users (admin/notices.py)
)


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_account_id_id", "account_id", "id"),
        Index("ix_notifications_account_id_group_key", "account_id", "group_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    from_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    status_id: Mapped[int | None] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), default=None, index=True
    )
    # The report an ``admin.report`` notification is about.
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Notifications alike in type and target within a few hours share a key (grouping.py);
    # None: shown on its own (``ungrouped-<id>``).
    group_key: Mapped[str | None] = mapped_column(String(80), default=None)
    # Held back by the recipient's policy: shown only on request (policy.py).
    filtered: Mapped[bool] = mapped_column(default=False)


POLICY_VALUES = ("accept", "filter", "drop")


class NotificationPolicy(Base):
    """Whose notifications a person accepts, filters or drops (Mastodon's
    NotificationPolicy); no row means every field at its default, ``accept``."""

    __tablename__ = "notification_policies"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    for_not_following: Mapped[str] = mapped_column(String(10), default="accept")
    for_not_followers: Mapped[str] = mapped_column(String(10), default="accept")
    for_new_accounts: Mapped[str] = mapped_column(String(10), default="accept")
    for_private_mentions: Mapped[str] = mapped_column(String(10), default="accept")
    for_limited_accounts: Mapped[str] = mapped_column(String(10), default="accept")


class NotificationPermission(Base):
    """``account_id`` accepted a request: ``from_account_id``'s notifications are no
    longer filtered by the policy."""

    __tablename__ = "notification_permissions"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    from_account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
