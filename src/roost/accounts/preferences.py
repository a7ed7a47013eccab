"""A person's preferences: the defaults of their posts and how their apps show media
and content warnings (Mastodon's Preferences entity, and ``source`` of the
CredentialAccount). Stored on the account row; written by update_credentials'
``source[...]`` and by the web settings page, read by posting (``statuses/service.py``)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit
from roost.core.errors import NotFound, Unprocessable

# Direct is no default a post may fall back to (Mastodon allows these three).
PRIVACIES = ("public", "unlisted", "private")
EXPAND_MEDIA = ("default", "show_all", "hide_all")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def render_preferences(account: Account) -> dict[str, Any]:
    return {
        "posting:default:visibility": account.default_privacy,
        "posting:default:sensitive": account.default_sensitive,
        "posting:default:language": account.default_language,
        "reading:expand:media": account.expand_media,
        "reading:expand:spoilers": account.expand_spoilers,
    }


def set_preferences(
    account: Account,
    *,
    privacy: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    expand_media: str | None = None,
    expand_spoilers: bool | None = None,
) -> None:
    """Change the given preferences on ``account`` (the caller commits); an invalid
    value changes nothing. ``language`` "" clears the default language."""
    if privacy is not None and privacy not in PRIVACIES:
        raise Unprocessable(f"Validation failed: Privacy must be one of {', '.join(PRIVACIES)}")
    if expand_media is not None and expand_media not in EXPAND_MEDIA:
        raise Unprocessable(
            f"Validation failed: Expand media must be one of {', '.join(EXPAND_MEDIA)}"
        )
    if language and not _LANGUAGE.match(language):
        raise Unprocessable("Validation failed: Language is not a valid ISO 639 code")
    if privacy is not None:
        account.default_privacy = privacy
    if sensitive is not None:
        account.default_sensitive = sensitive
    if language is not None:
        account.default_language = language or None
    if expand_media is not None:
        account.expand_media = expand_media
    if expand_spoilers is not None:
        account.expand_spoilers = expand_spoilers


async def update_preferences(
    *,
    session: AsyncSession,
    account_id: int,
    privacy: str,
    sensitive: bool,
    language: str,
    expand_media: str,
    expand_spoilers: bool,
) -> Account:
    """Save every preference at once (the web settings form)."""
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound()
    set_preferences(
        account,
        privacy=privacy,
        sensitive=sensitive,
        language=language.strip().lower(),
        expand_media=expand_media,
        expand_spoilers=expand_spoilers,
    )
    await commit(session)
    return account
