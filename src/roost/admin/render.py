"""The admin entities of blocks: Admin::EmailDomainBlock, Admin::IpBlock (Admin::Account
is accounts/admin_render.py)."""

from __future__ import annotations

from typing import Any

from roost.admin.models import EmailDomainBlock, IpBlock
from roost.core.http import iso


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
