"""Follow requests: what following a locked account makes, until its owner answers.

A request is a ``FollowRequest`` row, not a follow, so nobody reading ``follows``
(who may see a followers-only post, who receives one, the counts) counts the
requester until the owner authorizes it. Authorizing makes the follow as a follow
of an open account does (``service.link``: counters, back-fill of the home
timeline); rejecting, withdrawing (``service.unfollow``) or a block either way
(``service.block``) drops it. Either way the ``follow_request`` notification goes
with it, as on Mastodon. Unlocking an account accepts every request waiting
(``accept_follow_requests``, a job, as Mastodon's ``AuthorizeFollowWorker``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.accounts.standing import seen_by_others
from roost.core.db import commit
from roost.core.errors import NotFound
from roost.core.http import PageParams
from roost.core.paging import Page, paginate
from roost.follows.models import FollowRequest
from roost.follows.service import drop_request, finish, link, lock_pair

if TYPE_CHECKING:
    from roost.runtime import Runtime

ACCEPT_BATCH = 100


async def list_follow_requests(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, page: PageParams
) -> Page[dict[str, Any]]:
    """The accounts waiting for the viewer's answer, newest request first, paged by
    request id (Mastodon's Link header carries those)."""
    query = (
        select(Account)
        .join(FollowRequest, FollowRequest.account_id == Account.id)
        .where(FollowRequest.target_account_id == viewer_id, seen_by_others())
    )
    found = await paginate(session, query, key=FollowRequest.id, page=page)
    base_url = runtime.settings.base_url
    return found.with_items([render_account(a, base_url=base_url) for a in found.items])


async def authorize_follow_request(
    *, session: AsyncSession, runtime: Runtime, actor: Account, requester_id: int
) -> dict[str, Any]:
    """Let ``requester_id`` follow the actor; 404 when no request is waiting."""
    await lock_pair(session, actor.id, requester_id)
    await _accept(session, runtime, requester_id=requester_id, target_id=actor.id)
    return await finish(session, runtime, actor.id, requester_id)


async def reject_follow_request(
    *, session: AsyncSession, runtime: Runtime, actor: Account, requester_id: int
) -> dict[str, Any]:
    """Turn ``requester_id``'s request down; 404 when no request is waiting."""
    await lock_pair(session, actor.id, requester_id)
    if not await drop_request(session, follower_id=requester_id, target_id=actor.id):
        raise NotFound("No pending follow request from that account")
    return await finish(session, runtime, actor.id, requester_id)


async def accept_follow_requests(
    *, session: AsyncSession, runtime: Runtime, account_id: int
) -> int:
    """Accept up to ``ACCEPT_BATCH`` requests waiting for an account that is no longer
    locked (none if it was locked again meanwhile); how many requests it looked at.
    One transaction per request, each holding only its own pair of rows."""
    account = await session.get(Account, account_id)
    if account is None or account.locked or not account.approved:
        return 0
    requesters = (
        await session.scalars(
            select(FollowRequest.account_id)
            .where(FollowRequest.target_account_id == account_id)
            .order_by(FollowRequest.id)
            .limit(ACCEPT_BATCH)
        )
    ).all()
    await commit(session)
    for requester_id in requesters:
        try:
            await lock_pair(session, requester_id, account_id)
            await _accept(session, runtime, requester_id=requester_id, target_id=account_id)
        except NotFound:  # withdrawn meanwhile, or the account is gone
            await session.rollback()
            continue
        await finish(session, runtime, requester_id, account_id)
    return len(requesters)


async def _accept(
    session: AsyncSession, runtime: Runtime, *, requester_id: int, target_id: int
) -> None:
    """Turn the waiting request into the follow it asked for (the pair is locked)."""
    request: FollowRequest | None = await session.scalar(
        select(FollowRequest).where(
            FollowRequest.account_id == requester_id, FollowRequest.target_account_id == target_id
        )
    )
    if request is None:
        raise NotFound("No pending follow request from that account")
    reblogs, notify = request.show_reblogs, request.notify
    await drop_request(session, follower_id=requester_id, target_id=target_id)
    await link(
        session,
        runtime,
        follower_id=requester_id,
        target_id=target_id,
        reblogs=reblogs,
        notify=notify,
    )
