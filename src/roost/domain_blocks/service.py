"""Domains a person blocks. Roost does not federate: every account is local, so a
block of another domain hides nothing today. The list is still kept and answered
(Mastodon apps show and edit it), and blocking this server's own domain is refused as
Mastodon refuses it."""

from __future__ import annotations

import re

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import commit, utcnow
from roost.core.errors import Unprocessable
from roost.core.http import PageParams
from roost.core.ids import new_id
from roost.core.paging import Page, Window, paginate
from roost.domain_blocks.models import DomainBlock

DEFAULT_LIMIT = 100
MAX_LIMIT = 200
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(domain: str | None, *, own: str) -> str:
    """The domain lowercased, without a scheme, path or port; 422 if blank, not a
    domain, or this server's own."""
    text = (domain or "").strip().lower()
    if not text:
        raise Unprocessable("Validation failed: Domain can't be blank")
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text).split("/")[0].split(":")[0].rstrip(".")
    if text == own.lower().split(":")[0]:
        raise Unprocessable("Validation failed: Domain cannot be this server's own domain")
    labels = text.split(".")
    if len(text) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise Unprocessable("Validation failed: Domain is not a valid domain name")
    return text


async def blocked_domains(*, session: AsyncSession, account_id: int, page: PageParams) -> Page[str]:
    """One page of the domains the account blocks, newest block first."""
    window = Window.of(page)
    limit = DEFAULT_LIMIT if "limit" not in page.model_fields_set else page.limit
    window = Window(window.max_id, window.since_id, window.min_id, max(1, min(limit, MAX_LIMIT)))
    query = select(DomainBlock.domain).where(DomainBlock.account_id == account_id)
    result: Page[str] = await paginate(session, query, key=DomainBlock.id, page=window)
    return result


async def block_domain(
    *, session: AsyncSession, account_id: int, domain: str | None, own: str
) -> None:
    name = normalize_domain(domain, own=own)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(DomainBlock)
        .values(id=new_id(), account_id=account_id, domain=name, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    await commit(session)


async def unblock_domain(*, session: AsyncSession, account_id: int, domain: str | None) -> None:
    if not (domain or "").strip():
        raise Unprocessable("Validation failed: Domain can't be blank")
    text = (domain or "").strip().lower()
    await session.execute(
        delete(DomainBlock).where(DomainBlock.account_id == account_id, DomainBlock.domain == text)
    )
    await commit(session)
