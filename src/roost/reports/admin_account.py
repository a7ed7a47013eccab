"""Mastodon's Admin::Account entity: an account as the staff see it.

Kept here until the admin accounts API (another branch) and the reports API share one
home for it. What Roost does not keep is answered as Mastodon answers an account
without it: no sign-in addresses (``ip`` null, ``ips`` empty), no interface locale
(``locale`` null), no reason given at sign-up (``invite_request`` null). Roost sends no
confirmation mail yet, so every account is ``confirmed``.
"""

from __future__ import annotations

from typing import Any

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.roles import role_of
from roost.core.http import iso


def render_admin_account(account: Account, *, base_url: str) -> dict[str, Any]:
    return {
        "id": str(account.id),
        "username": account.username,
        "domain": None,  # every account is local
        "created_at": iso(account.created_at),
        "email": account.email,
        "ip": None,
        "ips": [],
        "locale": None,
        "invite_request": None,
        "role": role_of(account.role).render(),
        "confirmed": True,
        "suspended": account.suspended_at is not None,
        "silenced": account.silenced_at is not None,
        "sensitized": account.sensitized_at is not None,
        "disabled": account.disabled_at is not None,
        "approved": account.approved,
        "account": render_account(account, base_url=base_url),
    }
