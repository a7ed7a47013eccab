"""IP blocks: the address ranges whose sign-ups wait for approval or are refused
(enforced by ``sign_up_rules.py``), kept by moderators whose role may manage blocks.

A range is kept as its network (``192.0.2.7`` becomes ``192.0.2.7/32``,
``192.0.2.7/24`` becomes ``192.0.2.0/24``, ``::ffff:192.0.2.7`` becomes
``192.0.2.7/32``), one block per network. A block with
``expires_in`` ends then: an expired block is left out of the list, answers 404 and
makes way for a new block of the same network.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.admin import audit
from roost.admin.models import IP_SEVERITIES, IpBlock
from roost.admin.render import render_ip_block
from roost.admin.schemas import AdminPageParams, IpBlockForm
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import new_id
from roost.core.paging import Page, paginate

DEFAULT_IP = "0.0.0.0/32"  # Mastodon's, when a create names no range
COMMENT_MAX = 1000
TAKEN = "Validation failed: Ip has already been taken"


def _live() -> ColumnElement[bool]:
    return or_(IpBlock.expires_at.is_(None), IpBlock.expires_at > utcnow())


def normalize_network(text: str) -> str:
    """The network ``text`` names, as text; an IPv4-mapped IPv6 range (``::ffff:a.b.c.d``)
    as the IPv4 range it maps, since clients' addresses are matched that way."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise Unprocessable("Validation failed: Ip is invalid") from None
    mapped = getattr(network.network_address, "ipv4_mapped", None)
    if mapped is not None and network.prefixlen >= 96:
        network = ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
    return str(network)


def _check(form: IpBlockForm, *, creating: bool) -> None:
    if creating and not (form.severity or "").strip():
        raise Unprocessable("Validation failed: Severity can't be blank")
    if form.severity is not None and form.severity.strip() not in IP_SEVERITIES:
        raise Unprocessable(
            f"Validation failed: Severity must be one of {', '.join(IP_SEVERITIES)}"
        )
    if form.comment is not None and len(form.comment) > COMMENT_MAX:
        raise Unprocessable(f"Validation failed: Comment is too long (maximum is {COMMENT_MAX})")


async def _network_taken(session: AsyncSession, network: str, *, other_than: int | None) -> bool:
    """Whether a live block already has ``network``; an expired one is cleared away."""
    await session.execute(
        delete(IpBlock).where(IpBlock.ip == network, IpBlock.expires_at <= utcnow())
    )
    query = select(IpBlock.id).where(IpBlock.ip == network)
    if other_than is not None:
        query = query.where(IpBlock.id != other_than)
    return await session.scalar(query) is not None


async def _commit_unique(session: AsyncSession) -> None:
    try:
        await commit(session)
    except IntegrityError:  # the same network blocked a moment ago (PostgreSQL)
        await session.rollback()
        raise Unprocessable(TAKEN) from None


async def list_ip_blocks(*, session: AsyncSession, page: AdminPageParams) -> Page[dict[str, Any]]:
    found: Page[IpBlock] = await paginate(
        session, select(IpBlock).where(_live()), key=IpBlock.id, page=page
    )
    return found.with_items([render_ip_block(block) for block in found.items])


async def _get(session: AsyncSession, block_id: int) -> IpBlock:
    block = await session.scalar(select(IpBlock).where(IpBlock.id == block_id, _live()))
    if block is None:
        raise NotFound()
    return block


async def show_ip_block(*, session: AsyncSession, block_id: int) -> dict[str, Any]:
    return render_ip_block(await _get(session, block_id))


async def create_ip_block(
    *, session: AsyncSession, actor: Account, form: IpBlockForm
) -> dict[str, Any]:
    _check(form, creating=True)
    network = normalize_network(form.ip or DEFAULT_IP)
    if await _network_taken(session, network, other_than=None):
        raise Unprocessable(TAKEN)
    now = utcnow()
    block = IpBlock(
        id=new_id(),
        ip=network,
        severity=(form.severity or "").strip(),
        comment=form.comment or "",
        created_at=now,
        expires_at=now + timedelta(seconds=form.expires_in) if form.expires_in else None,
    )
    session.add(block)
    audit.log_action(
        session,
        actor=actor,
        action="create",
        target_type=audit.IP_BLOCK,
        target_id=block.id,
        did=f"added the IP rule {network}: {block.severity}",
        text=block.comment,
    )
    await _commit_unique(session)
    return render_ip_block(block)


async def update_ip_block(
    *, session: AsyncSession, actor: Account, block_id: int, form: IpBlockForm
) -> dict[str, Any]:
    """Change the fields given; the others stay."""
    _check(form, creating=False)
    block = await _get(session, block_id)
    if form.ip is not None:
        network = normalize_network(form.ip)
        if await _network_taken(session, network, other_than=block.id):
            raise Unprocessable(TAKEN)
        block.ip = network
    if form.severity is not None:
        block.severity = form.severity.strip()
    if form.comment is not None:
        block.comment = form.comment
    if form.expires_in is not None:
        block.expires_at = utcnow() + timedelta(seconds=form.expires_in)
    audit.log_action(
        session,
        actor=actor,
        action="update",
        target_type=audit.IP_BLOCK,
        target_id=block.id,
        did=f"changed the IP rule {block.ip}: {block.severity}",
        text=block.comment,
    )
    await _commit_unique(session)
    return render_ip_block(block)


async def delete_ip_block(*, session: AsyncSession, actor: Account, block_id: int) -> None:
    block = await _get(session, block_id)
    audit.log_action(
        session,
        actor=actor,
        action="destroy",
        target_type=audit.IP_BLOCK,
        target_id=block.id,
        did=f"removed the IP rule {block.ip}",
    )
    await session.execute(delete(IpBlock).where(IpBlock.id == block.id))
    await commit(session)
