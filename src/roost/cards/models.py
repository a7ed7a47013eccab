from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class PreviewCard(Base):
    """What a link's page says about itself (Open Graph, Twitter, ``<title>``), fetched
    once per URL and shared by every post that links it. A failed fetch is kept too
    (``state`` "failed"), so the same dead link is not fetched again for every post
    before ``RETRY_FAILED_AFTER`` (service.py)."""

    __tablename__ = "preview_cards"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    url: Mapped[str] = mapped_column(Text)  # the link as posted (without its #fragment)
    # sha256 of ``url``: the unique key (a link may be longer than an index entry).
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(8), default="ready")  # ready, failed
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(8), default="link")
    author_name: Mapped[str] = mapped_column(Text, default="")
    author_url: Mapped[str] = mapped_column(Text, default="")
    provider_name: Mapped[str] = mapped_column(Text, default="")
    provider_url: Mapped[str] = mapped_column(Text, default="")
    # The stored picture (media storage key), its size, blurhash and alt text.
    image_key: Mapped[str | None] = mapped_column(String(255), default=None)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    blurhash: Mapped[str | None] = mapped_column(String(64), default=None)
    image_description: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)  # why the fetch failed
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusCard(Base):
    """A post's card: the one of its first link, once that card is ready."""

    __tablename__ = "status_cards"

    status_id: Mapped[int] = mapped_column(
        ForeignKey("statuses.id", ondelete="CASCADE"), primary_key=True
    )
    card_id: Mapped[int] = mapped_column(
        ForeignKey("preview_cards.id", ondelete="CASCADE"), index=True
    )
