"""The Admin::Account entity: an account as moderators see it. Here, beside the Account
entity, because the admin API, the admin reports API and the moderation screens all
show it."""

from __future__ import annotations

from typing import Any

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.roles import role_of
from roost.core.http import iso


def render_admin_account(account: Account, *, base_url: str) -> dict[str, Any]:
    """Admin::Account. Roost records the address an account signed up from, so ``ip``
    is that address and ``ips`` has that one entry (at the sign-up time); the addresses
    of later sign-ins are not kept. ``confirmed``: the address was confirmed (at once
    without SMTP; by the mailed link with it)."""
    ips = (
        [{"ip": account.sign_up_ip, "used_at": iso(account.created_at)}]
        if account.sign_up_ip
        else []
    )
    return {
        "id": str(account.id),
        "username": account.username,
        "domain": None,  # every account is local
        "created_at": iso(account.created_at),
        "email": account.email,
        "ip": account.sign_up_ip,
        "ips": ips,
        "role": role_of(account.role).render(),
        "confirmed": account.confirmed_at is not None,
        "suspended": account.suspended_at is not None,
        "silenced": account.silenced_at is not None,
        "sensitized": account.sensitized_at is not None,
        "disabled": account.disabled_at is not None,
        "approved": account.approved,
        "locale": account.locale,
        "invite_request": account.sign_up_reason,
        "account": render_account(account, base_url=base_url),
    }
