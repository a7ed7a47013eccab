"""The Mastodon Account entity; its URLs are under ``base_url``, the server's public
address (``Settings.base_url``)."""

from __future__ import annotations

from typing import Any

from roost.accounts.avatars import generated_avatar_path
from roost.accounts.models import Account
from roost.accounts.roles import role_of
from roost.core.http import iso
from roost.media.storage import system_url

DEFAULT_HEADER_PATH = "/headers/original/missing.png"  # Mastodon's address for it


def profile_url(account: Account, base_url: str) -> str:
    return f"{base_url}/@{account.username}"


def avatar_url(account: Account, base_url: str) -> str:
    """The uploaded avatar, else the generated one (a PNG either way)."""
    if account.avatar_file:
        return system_url(base_url, account.avatar_file)
    return base_url + generated_avatar_path(account.id, account.username)


def header_url(account: Account, base_url: str) -> str:
    if account.header_file:
        return system_url(base_url, account.header_file)
    return base_url + DEFAULT_HEADER_PATH


def render_account(account: Account, *, base_url: str) -> dict[str, Any]:
    """The Account entity. A suspended account shows only who it was, with
    ``suspended: true`` (Mastodon's entity for one: no profile, no counts); a silenced
    one carries ``limited: true``, for apps to hide it behind a warning."""
    if account.suspended_at is not None:
        return _suspended(account, base_url)
    base = base_url
    avatar = avatar_url(account, base)
    header = header_url(account, base)
    return {
        "id": str(account.id),
        "username": account.username,
        "acct": account.username,
        "display_name": account.display_name,
        "locked": account.locked,
        "bot": account.bot,
        "discoverable": account.discoverable,
        "group": False,
        "created_at": iso(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": account.note_html,
        "url": profile_url(account, base),
        "uri": f"{base}/users/{account.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": account.followers_count,
        "following_count": account.following_count,
        "statuses_count": account.statuses_count,
        "last_status_at": (
            account.last_status_at.strftime("%Y-%m-%d") if account.last_status_at else None
        ),
        "noindex": False,
        "emojis": [],
        "fields": [],
        # Only highlighted roles show as a badge on the profile, as on Mastodon.
        "roles": (
            [{"id": role.id, "name": role.label, "color": role.color}]
            if (role := role_of(account.role)).highlighted
            else []
        ),
        **({"limited": True} if account.silenced_at is not None else {}),
    }


def _suspended(account: Account, base: str) -> dict[str, Any]:
    avatar = avatar_url(account, base)
    header = f"{base}/headers/default.svg"
    return {
        "id": str(account.id),
        "username": account.username,
        "acct": account.username,
        "display_name": "",
        "locked": False,
        "bot": False,
        "discoverable": False,
        "group": False,
        "created_at": iso(account.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": "",
        "url": profile_url(account, base),
        "uri": f"{base}/users/{account.username}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": None,
        "noindex": True,
        "emojis": [],
        "fields": [],
        "roles": [],
        "suspended": True,
    }


def render_credential_account(
    account: Account, *, base_url: str, follow_requests_count: int
) -> dict[str, Any]:
    """The signed-in person's own account, with the ``source`` block for editing and
    how many follow requests wait for an answer."""
    rendered = render_account(account, base_url=base_url)
    rendered["source"] = {
        "privacy": account.default_privacy,
        "sensitive": account.default_sensitive,
        "language": account.default_language or "",
        "note": account.note,
        "fields": [],
        "follow_requests_count": follow_requests_count,
    }
    rendered["role"] = role_of(account.role).render()
    return rendered
