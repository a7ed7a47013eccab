"""Email-domain blocks: the domains whose addresses may not sign up (enforced by
``sign_up_rules.py``), kept by moderators whose role may manage blocks.

Each block answers a week of ``history`` (newest day first, as Mastodon's): per day,
the accounts that signed up with an address on the domain (``accounts``) and how many
addresses they came from (``uses``). Mastodon counts refused *attempts* there, in
Redis; Roost counts from what SQL holds, so a day after the block was made shows the
accounts that got in before it (none, once it is in place).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.admin import audit
from roost.admin.models import EmailDomainBlock
from roost.admin.render import render_email_domain_block
from roost.admin.schemas import AdminPageParams
from roost.admin.sign_up_rules import email_domains
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import id_to_unix_ms, lowest_id_at, new_id
from roost.core.paging import Page, paginate
from roost.domain_blocks.service import normalize_domain

HISTORY_DAYS = 7


async def _history(
    session: AsyncSession, blocks: list[EmailDomainBlock]
) -> dict[int, list[dict[str, str]]]:
    """Each block's week, from one query over the week's sign-ups on those domains."""
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS)]
    counts: dict[tuple[int, datetime], list[Account]] = defaultdict(list)
    if blocks:
        since = lowest_id_at(int(days[-1].timestamp() * 1000))
        on_domains = or_(
            *(Account.email.like(f"%{at}{block.domain}") for block in blocks for at in ("@", "."))
        )
        rows = await session.scalars(select(Account).where(Account.id >= since, on_domains))
        by_domain = {block.domain: block.id for block in blocks}
        for account in rows.all():
            created = datetime.fromtimestamp(id_to_unix_ms(account.id) / 1000, UTC)
            day = created.replace(hour=0, minute=0, second=0, microsecond=0)
            for domain in email_domains(account.email):
                if domain in by_domain:
                    counts[(by_domain[domain], day)].append(account)
    return {
        block.id: [
            {
                "day": str(int(day.timestamp())),
                "accounts": str(len(counts[(block.id, day)])),
                "uses": str(len({a.sign_up_ip for a in counts[(block.id, day)] if a.sign_up_ip})),
            }
            for day in days
        ]
        for block in blocks
    }


async def _render(session: AsyncSession, blocks: list[EmailDomainBlock]) -> list[dict[str, Any]]:
    history = await _history(session, blocks)
    return [render_email_domain_block(block, history[block.id]) for block in blocks]


async def list_email_domain_blocks(
    *, session: AsyncSession, page: AdminPageParams
) -> Page[dict[str, Any]]:
    found: Page[EmailDomainBlock] = await paginate(
        session, select(EmailDomainBlock), key=EmailDomainBlock.id, page=page
    )
    return found.with_items(await _render(session, found.items))


async def _get(session: AsyncSession, block_id: int) -> EmailDomainBlock:
    block = await session.get(EmailDomainBlock, block_id)
    if block is None:
        raise NotFound()
    return block


async def show_email_domain_block(*, session: AsyncSession, block_id: int) -> dict[str, Any]:
    return (await _render(session, [await _get(session, block_id)]))[0]


async def block_email_domain(
    *, session: AsyncSession, actor: Account, domain: str | None
) -> dict[str, Any]:
    """Refuse sign-ups at ``domain`` (and under it); 422 for a blank, invalid or
    already blocked domain."""
    name = normalize_domain(domain, own="")
    taken = Unprocessable("Validation failed: Domain has already been taken")
    if await session.scalar(select(EmailDomainBlock.id).where(EmailDomainBlock.domain == name)):
        raise taken
    block = EmailDomainBlock(id=new_id(), domain=name, created_at=utcnow())
    session.add(block)
    audit.log_action(
        session,
        actor=actor,
        action="create",
        target_type=audit.EMAIL_DOMAIN_BLOCK,
        target_id=block.id,
        did=f"blocked sign-ups with email addresses at {name}",
    )
    try:
        await commit(session)
    except IntegrityError:  # blocked by someone else a moment ago (PostgreSQL)
        await session.rollback()
        raise taken from None
    return (await _render(session, [block]))[0]


async def unblock_email_domain(*, session: AsyncSession, actor: Account, block_id: int) -> None:
    block = await _get(session, block_id)
    audit.log_action(
        session,
        actor=actor,
        action="destroy",
        target_type=audit.EMAIL_DOMAIN_BLOCK,
        target_id=block.id,
        did=f"lifted the sign-up block on email addresses at {block.domain}",
    )
    await session.execute(delete(EmailDomainBlock).where(EmailDomainBlock.id == block.id))
    await commit(session)
