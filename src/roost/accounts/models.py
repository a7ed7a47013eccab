from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, utcnow


class Account(Base):
    """A local person: their profile, their sign-in, and their denormalized counts."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(30))
    # Usernames are unique regardless of case; the lowercase copy carries the index.
    username_lower: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lowercase
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text, default="")  # what the person typed
    note_html: Mapped[str] = mapped_column(Text, default="")  # sanitized rendering of note
    locked: Mapped[bool] = mapped_column(default=False)
    bot: Mapped[bool] = mapped_column(default=False)
    discoverable: Mapped[bool] = mapped_column(default=True)
    approved: Mapped[bool] = mapped_column(default=True)
    # Storage keys of the uploaded profile pictures (media/storage.py); None shows the
    # generated avatar and the default header.
    avatar_file: Mapped[str | None] = mapped_column(String(255), default=None)
    header_file: Mapped[str | None] = mapped_column(String(255), default=None)
    # Who may moderate (owner, admin, moderator, user), and the states a moderator has
    # put the account in: each is the time it began, or None.
    role: Mapped[str] = mapped_column(String(16), default="user", server_default="user")
    suspended_at: Mapped[datetime | None] = mapped_column(default=None)
    silenced_at: Mapped[datetime | None] = mapped_column(default=None)
    sensitized_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the email address was confirmed by following the mailed link. Set at once
    # unless ROOST_SMTP_URL is set (then sign-up waits for the mail: mail/service.py).
    confirmed_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # The OAuth app that registered the account (POST /api/v1/accounts), the only one
    # that may ask for the confirmation mail again (POST /api/v1/emails/confirmations).
    created_by_application_id: Mapped[int | None] = mapped_column(
        ForeignKey("oauth_apps.id", ondelete="SET NULL"), default=None
    )
    # The person deleted the account: the row stays as a tombstone so the username stays
    # reserved; a job removes everything else (lifecycle/deletion.py).
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    # What sign-up recorded for moderators (the Admin::Account entity): the address it
    # came from, the language asked for, and the reason given when approval is needed.
    sign_up_ip: Mapped[str | None] = mapped_column(String(45), default=None, index=True)
    locale: Mapped[str | None] = mapped_column(String(16), default=None)
    sign_up_reason: Mapped[str | None] = mapped_column(Text, default=None)
    last_status_at: Mapped[datetime | None] = mapped_column(default=None)
    followers_count: Mapped[int] = mapped_column(default=0)
    following_count: Mapped[int] = mapped_column(default=0)
    statuses_count: Mapped[int] = mapped_column(default=0)
    # Preferences (GET /api/v1/preferences; ``source`` of the CredentialAccount): what a
    # post without its own visibility, sensitivity or language gets, and how the
    # person's apps show media and content warnings.
    default_privacy: Mapped[str] = mapped_column(
        String(10), default="public", server_default="public"
    )
    default_sensitive: Mapped[bool] = mapped_column(default=False, server_default=false())
    default_language: Mapped[str | None] = mapped_column(String(16), default=None)
    expand_media: Mapped[str] = mapped_column(
        String(10), default="default", server_default="default"
    )
    expand_spoilers: Mapped[bool] = mapped_column(default=False, server_default=false())
