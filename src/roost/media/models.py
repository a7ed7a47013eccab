from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class MediaAttachment(Base):
    """A file someone uploaded: unattached until a post names it in ``media_ids``.

    The files themselves live in the media storage (``storage.py``) under the keys kept
    here; the row is the truth about which files exist, so a cleanup job can remove what
    no row names any more."""

    __tablename__ = "media_attachments"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Set when a post takes it; the post's deletion removes the files (a job).
    status_id: Mapped[int | None] = mapped_column(
        ForeignKey("statuses.id", ondelete="SET NULL"), index=True, default=None
    )
    # Held by a scheduled post until it is published; cancelling it lets go (SET NULL).
    scheduled_status_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_statuses.id", ondelete="SET NULL"), index=True, default=None
    )
    position: Mapped[int] = mapped_column(default=0)  # its place among the post's media
    # Set when an edit took it out of its post: it stays the post's (its history shows
    # it, deleting the post deletes it) but is no longer among its media.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    type: Mapped[str] = mapped_column(String(8), default="image")  # image, gifv, ...
    state: Mapped[str] = mapped_column(String(12), default="processing")  # ready, failed
    # The upload as received, kept only while it waits for processing.
    incoming_key: Mapped[str | None] = mapped_column(String(255), default=None)
    file_key: Mapped[str | None] = mapped_column(String(255), default=None)
    thumbnail_key: Mapped[str | None] = mapped_column(String(255), default=None)
    content_type: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int] = mapped_column(default=0)  # bytes of the stored original
    # MediaAttachment ``meta``: original and small sizes, and the focal point.
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    description: Mapped[str | None] = mapped_column(Text, default=None)  # alt text
    focus_x: Mapped[float] = mapped_column(default=0.0)
    focus_y: Mapped[float] = mapped_column(default=0.0)
    blurhash: Mapped[str | None] = mapped_column(String(64), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)  # why processing failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
