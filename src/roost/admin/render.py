"""The admin entities: Admin::Account, Admin::EmailDomainBlock, Admin::IpBlock."""

from __future__ import annotations

from typing import Any

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.roles import role_of
from roost.admin.models import EmailDomainBlock, IpBlock
from roost.core.http import iso


def render_admin_account(account: Account, *, base_url: str) -> dict[str, Any]:
    """Admin::Account. Roost records the address an account signed up from, so ``ip``
    is that address and ``ips`` has that one entry (at the sign-up time); the addresses
    of later sign-ins are not kept. There is no email confirmation yet, so every
    account is ``confirmed``."""
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
        "confirmed": True,
        "suspended": account.suspended_at is not None,
        "silenced": account.silenced_at is not None,
        "sensitized": account.sensitized_at is not None,
        "disabled": account.disabled_at is not None,
        "approved": account.approved,
        "locale": account.locale,
        "invite_request": account.sign_up_reason,
        "account": render_account(account, base_url=base_url),
    }


def render_email_domain_block(
    block: EmailDomainBlock, history: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "domain": block.domain,
        "created_at": iso(block.created_at),
        "history": history,
    }


def render_ip_block(block: IpBlock) -> dict[str, Any]:
    return {
        "id": str(block.id),
        "ip": block.ip,
        "severity": block.severity,
        "comment": block.comment,
        "created_at": iso(block.created_at),
        "expires_at": iso(block.expires_at) if block.expires_at else None,
    }
