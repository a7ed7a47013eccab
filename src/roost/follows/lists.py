"""Paged lists of the follow graph: followers, following, blocks, mutes.

Pages are ordered by the id of the relation row (newest relation first), so the
Link header's ``max_id`` / ``min_id`` are relation ids, as on Mastodon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.errors import NotFound
from roost.core.http import PageParams
from roost.follows.models import Block, Follow, Mute


@dataclass(frozen=True)
class AccountPage:
    accounts: list[dict[str, Any]]
    newest: int | None  # relation ids, for the Link header
    oldest: int | None


async def followers(
    *, session: AsyncSession, viewer_id: int | None, account_id: int, page: PageParams
) -> AccountPage:
    return await _graph_page(
        session,
        viewer_id=viewer_id,
        account_id=account_id,
        page=page,
        listed=Follow.account_id,
        owner=Follow.target_account_id,
    )


async def following(
    *, session: AsyncSession, viewer_id: int | None, account_id: int, page: PageParams
) -> AccountPage:
    return await _graph_page(
        session,
        viewer_id=viewer_id,
        account_id=account_id,
        page=page,
        listed=Follow.target_account_id,
        owner=Follow.account_id,
    )


async def blocks(*, session: AsyncSession, viewer_id: int, page: PageParams) -> AccountPage:
    query = (
        select(Block.id, Account)
        .join(Account, Account.id == Block.target_account_id)
        .where(Block.account_id == viewer_id)
    )
    return await _run(session, query, Block.id, page)


async def mutes(*, session: AsyncSession, viewer_id: int, page: PageParams) -> AccountPage:
    query = (
        select(Mute.id, Account)
        .join(Account, Account.id == Mute.target_account_id)
        .where(Mute.account_id == viewer_id)
    )
    result = await _run(session, query, Mute.id, page)
    for account in result.accounts:
        account["mute_expires_at"] = None
    return result


async def _graph_page(
    session: AsyncSession,
    *,
    viewer_id: int | None,
    account_id: int,
    page: PageParams,
    listed: InstrumentedAttribute[int],
    owner: InstrumentedAttribute[int],
) -> AccountPage:
    subject = await session.get(Account, account_id)
    if subject is None or not subject.approved:
        raise NotFound()
    if viewer_id is not None and await _blocks(session, account_id, viewer_id):
        return AccountPage(accounts=[], newest=None, oldest=None)
    query = (
        select(Follow.id, Account)
        .join(Account, Account.id == listed)
        .where(owner == account_id, Account.approved.is_(True))
    )
    if viewer_id is not None:
        query = query.where(
            ~exists().where(Block.account_id == viewer_id, Block.target_account_id == Account.id),
            ~exists().where(Block.account_id == Account.id, Block.target_account_id == viewer_id),
        )
    return await _run(session, query, Follow.id, page)


async def _blocks(session: AsyncSession, blocker: int, blocked: int) -> bool:
    row = await session.scalar(
        select(Block.id).where(Block.account_id == blocker, Block.target_account_id == blocked)
    )
    return row is not None


async def _run(
    session: AsyncSession,
    query: Select[int, Account],
    key: InstrumentedAttribute[int],
    page: PageParams,
) -> AccountPage:
    """Apply Mastodon paging to ``query`` (rows of relation id, Account), newest first."""
    if page.max_id is not None:
        query = query.where(key < page.max_id)
    if page.min_id is not None:
        query = query.where(key > page.min_id).order_by(key.asc())
    else:
        if page.since_id is not None:
            query = query.where(key > page.since_id)
        query = query.order_by(key.desc())
    rows = list(await session.execute(query.limit(page.clamped_limit())))
    if page.min_id is not None:
        rows.reverse()
    if not rows:
        return AccountPage(accounts=[], newest=None, oldest=None)
    return AccountPage(
        accounts=[render_account(account) for _, account in rows],
        newest=rows[0][0],
        oldest=rows[-1][0],
    )
