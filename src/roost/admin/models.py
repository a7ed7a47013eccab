from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class AdminActionLog(Base):
    """One thing a moderator did (``admin/audit.py``), written in the transaction of the
    action itself. The target has no foreign key: the log outlives what it names (a
    rejected sign-up, a lifted block), and ``summary`` keeps the names as they were."""

    __tablename__ = "admin_action_logs"
    __table_args__ = (
        Index("ix_admin_action_logs_target_type_target_id", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Who acted; None once their account is gone (the summary still names them).
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None, index=True
    )
    action: Mapped[str] = mapped_column(String(32))  # suspend, approve, create, ...
    target_type: Mapped[str] = mapped_column(String(32))  # Account, Report, IpBlock, ...
    target_id: Mapped[int] = mapped_column()
    summary: Mapped[str] = mapped_column(String(500))  # "alice suspended bob"
    text: Mapped[str] = mapped_column(Text, default="")  # the moderator's own words, if any
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailDomainBlock(Base):
    """Sign-ups with an email address at this domain (or under it) are refused."""

    __tablename__ = "email_domain_blocks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # lowercase
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


IP_SEVERITIES = ("sign_up_requires_approval", "sign_up_block", "no_access")


class IpBlock(Base):
    """A rule for sign-ups from an address range: wait for approval, or be refused."""

    __tablename__ = "ip_blocks"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ip: Mapped[str] = mapped_column(String(49), unique=True)  # a network: "192.0.2.0/24"
    severity: Mapped[str] = mapped_column(String(32))  # one of IP_SEVERITIES
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)  # None: never
