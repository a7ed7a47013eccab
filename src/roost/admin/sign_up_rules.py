"""What the sign-up blocks say about one sign-up: the one place registration asks
(``accounts/service.py``, for the API and the web page alike).

- An email-domain block refuses an address at the domain or under it
  (``spam.example`` also refuses ``mail.spam.example``).
- An IP block whose network holds the address: ``sign_up_requires_approval`` makes
  the account wait for a moderator even when registrations are open;
  ``sign_up_block`` and ``no_access`` refuse the sign-up. (Mastodon also refuses
  every other request from a ``no_access`` range; Roost applies it to sign-ups only.)
  An expired block says nothing.

IP blocks are few (a moderator adds them by hand), so the live ones are read and
matched here rather than by the database, which keeps the rule the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import ipaddress
from typing import TypeAlias

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.admin.models import EmailDomainBlock, IpBlock
from roost.core.db import utcnow

Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
REQUIRES_APPROVAL = "sign_up_requires_approval"
REFUSING = ("sign_up_block", "no_access")
DOMAIN_MAX = 253


def parse_address(text: str) -> Address | None:
    """A client's address as an IP address (IPv4-mapped IPv6 as IPv4), or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def email_domains(email: str) -> list[str]:
    """The domain of an address and every domain above it: ``a.b.example``,
    ``b.example``, ``example``; none for a domain too long to be one."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    if len(domain) > DOMAIN_MAX:
        return []
    labels = domain.split(".")
    return [".".join(labels[start:]) for start in range(len(labels)) if labels[start]]


async def email_domain_blocked(session: AsyncSession, email: str) -> bool:
    domains = email_domains(email)
    if not domains:
        return False
    found = await session.scalar(
        select(EmailDomainBlock.id).where(EmailDomainBlock.domain.in_(domains)).limit(1)
    )
    return found is not None


async def ip_block_severity(session: AsyncSession, ip: str) -> str | None:
    """The strictest live block whose network holds ``ip``: a refusing one over one
    that asks for approval; None if none does (or ``ip`` is not an address)."""
    address = parse_address(ip)
    if address is None:
        return None
    rows = await session.execute(
        select(IpBlock.ip, IpBlock.severity).where(
            or_(IpBlock.expires_at.is_(None), IpBlock.expires_at > utcnow())
        )
    )
    found: set[str] = set()
    for network, severity in rows.all():
        try:
            if address in ipaddress.ip_network(network, strict=False):
                found.add(severity)
        except ValueError:  # not written by ip_blocks.py; nothing to match
            continue
    for severity in (*REFUSING, REQUIRES_APPROVAL):
        if severity in found:
            return severity
    return None
