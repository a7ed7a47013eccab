from __future__ import annotations

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base


class HomeFeed(Base):
    """The head of one home timeline: the last cursor handed out in it."""

    __tablename__ = "home_feeds"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    last_seq: Mapped[int] = mapped_column(default=0)


class HomeEntry(Base):
    """One post delivered into one home timeline.

    ``seq`` is the timeline cursor: it orders entries by when they became
    visible in this timeline, not by when the post was created (see
    timelines/cursors.py for why).
    """

    __tablename__ = "home_entries"
    __table_args__ = (UniqueConstraint("owner_id", "status_id"),)

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status_id: Mapped[int] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int]
    reblog_of_id: Mapped[int | None] = mapped_column(default=None)


class ListFeed(Base):
    """The head of one list timeline, keyed by the list's id: the same cursor rules
    as a home timeline (cursors.py), in tables of their own so deleting the list
    deletes its timeline."""

    __tablename__ = "list_feeds"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    last_seq: Mapped[int] = mapped_column(default=0)


class ListEntry(Base):
    """One post delivered into one list timeline (the columns of ``HomeEntry``)."""

    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("owner_id", "status_id"),)

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("lists.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status_id: Mapped[int] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int]
    reblog_of_id: Mapped[int | None] = mapped_column(default=None)
