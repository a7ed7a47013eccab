"""Paged lists of the follow graph: followers, following, blocks, mutes.

Pages are ordered by the id of the relation row (newest relation first), so the
Link header's ``max_id`` / ``min_id`` are relation ids, as on Mastodon. Items are
rendered Account entities.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.standing import is_suspended, seen_by_others
from roost.core.errors import NotFound
from roost.core.http import PageParams, iso
from roost.core.paging import Page, paginate
from roost.follows.models import Block, Follow, Mute
from roost.follows.relations import blocks as blocks_one_way
from roost.follows.relations import mute_in_force, not_blocked_either_way

if TYPE_CHECKING:
    from roost.runtime import Runtime

AccountPage = Page[dict[str, Any]]


async def followers(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    account_id: int,
    page: PageParams,
) -> AccountPage:
    return await _graph_page(
        session,
        runtime=runtime,
        viewer_id=viewer_id,
        account_id=account_id,
        page=page,
        listed=Follow.account_id,
        owner=Follow.target_account_id,
    )


async def following(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    account_id: int,
    page: PageParams,
) -> AccountPage:
    return await _graph_page(
        session,
        runtime=runtime,
        viewer_id=viewer_id,
        account_id=account_id,
        page=page,
        listed=Follow.target_account_id,
        owner=Follow.account_id,
    )


async def blocks(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, page: PageParams
) -> AccountPage:
    query = (
        select(Account)
        .join(Block, Block.target_account_id == Account.id)
        .where(Block.account_id == viewer_id)
    )
    return await _rendered(session, runtime, query, Block.id, page)


async def mutes(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, page: PageParams
) -> AccountPage:
    """The accounts the viewer mutes (a mute that has ended is gone), each with its
    ``mute_expires_at``."""
    query = (
        select(Account, Mute.expires_at)
        .join(Mute, Mute.target_account_id == Account.id)
        .where(Mute.account_id == viewer_id, mute_in_force())
    )
    found = await paginate(session, query, key=Mute.id, page=page)
    base_url = runtime.settings.base_url
    return found.with_items(
        [
            render_account(account, base_url=base_url)
            | {"mute_expires_at": iso(expires_at) if expires_at else None}
            for account, expires_at in found.items
        ]
    )


async def _graph_page(
    session: AsyncSession,
    *,
    runtime: Runtime,
    viewer_id: int | None,
    account_id: int,
    page: PageParams,
    listed: InstrumentedAttribute[int],
    owner: InstrumentedAttribute[int],
) -> AccountPage:
    subject = await session.get(Account, account_id)
    if subject is None or not subject.approved:
        raise NotFound()
    if is_suspended(subject):  # a suspended account's network is not shown (Mastodon)
        return Page(items=[])
    if viewer_id is not None and await blocks_one_way(
        session, blocker=account_id, blocked=viewer_id
    ):
        return Page(items=[])
    query = (
        select(Account)
        .join(Follow, Account.id == listed)
        .where(owner == account_id, seen_by_others())
    )
    if viewer_id is not None:
        query = query.where(not_blocked_either_way(viewer_id, Account.id))
    return await _rendered(session, runtime, query, Follow.id, page)


async def _rendered(
    session: AsyncSession,
    runtime: Runtime,
    query: Any,
    key: InstrumentedAttribute[int],
    page: PageParams,
) -> AccountPage:
    """One page of ``query`` (of Accounts) paged by relation id, rendered."""
    found = await paginate(session, query, key=key, page=page)
    base_url = runtime.settings.base_url
    return found.with_items([render_account(a, base_url=base_url) for a in found.items])


async def following_for_export(
    session: AsyncSession, account_id: int
) -> list[tuple[str, bool, bool]]:
    """Whom the account follows, newest follow first: (username, show boosts, notify)."""
    rows = await session.execute(
        select(Account.username, Follow.show_reblogs, Follow.notify)
        .join(Follow, Follow.target_account_id == Account.id)
        .where(Follow.account_id == account_id)
        .order_by(Follow.id.desc())
    )
    return [(username, bool(reblogs), bool(notify)) for username, reblogs, notify in rows.all()]


async def blocks_for_export(session: AsyncSession, account_id: int) -> list[str]:
    """The usernames the account blocks, newest block first."""
    rows = await session.scalars(
        select(Account.username)
        .join(Block, Block.target_account_id == Account.id)
        .where(Block.account_id == account_id)
        .order_by(Block.id.desc())
    )
    return list(rows.all())


async def mutes_for_export(session: AsyncSession, account_id: int) -> list[tuple[str, bool]]:
    """The accounts the account mutes (those in force), newest first: (username, hide
    notifications)."""
    rows = await session.execute(
        select(Account.username, Mute.hide_notifications)
        .join(Mute, Mute.target_account_id == Account.id)
        .where(Mute.account_id == account_id, mute_in_force())
        .order_by(Mute.id.desc())
    )
    return [(username, bool(hide)) for username, hide in rows.all()]


async def targets_of(session: AsyncSession, account_id: int, kind: str) -> set[int]:
    """The ids the account follows (``following``), blocks (``blocking``) or mutes
    (``muting``, those in force)."""
    if kind == "following":
        query = select(Follow.target_account_id).where(Follow.account_id == account_id)
    elif kind == "blocking":
        query = select(Block.target_account_id).where(Block.account_id == account_id)
    else:
        query = select(Mute.target_account_id).where(Mute.account_id == account_id, mute_in_force())
    return set((await session.scalars(query)).all())
