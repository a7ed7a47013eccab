from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class Poll(Base):
    """A poll attached to one status. What it asks never changes (``options``,
    ``multiple``, ``hide_totals``, ``expires_at``); its counts are kept in
    ``voters_count`` and the ``PollTally`` rows, changed in SQL by each vote."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status_id: Mapped[int] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    options: Mapped[list[str]] = mapped_column(JSON)  # the titles, in order
    multiple: Mapped[bool] = mapped_column(default=False)
    hide_totals: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime]
    voters_count: Mapped[int] = mapped_column(default=0)
    # Set by the expiry job once voters and author have been told the poll ended.
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PollTally(Base):
    """How many votes one option has: a row per option, so concurrent votes add
    to it in SQL without losing an update."""

    __tablename__ = "poll_tallies"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    votes_count: Mapped[int] = mapped_column(default=0)


class PollVote(Base):
    """One account's vote: its primary key makes a second vote by the same account
    fail, however close together the two arrive."""

    __tablename__ = "poll_votes"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    choices: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
