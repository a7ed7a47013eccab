"""Ending open streams when their access is taken away.

Revoking a token, changing a password (which revokes every token of the account),
or suspending an account must not leave a stream opened before it delivering.
As Mastodon's streaming server does, every connection (an SSE response, or a
WebSocket with all its streams) also listens to two channels of the bus:
``token:<token id>`` and ``system:<account id>``. ``end_streams`` publishes a
``kill`` on them after the commit, and every process holding such a connection
ends it as soon as the message arrives (Redis pub/sub across processes): within
a round trip, far under a second.

A revocation that commits after a stream checked its token but before the
stream's subscription was confirmed would go unheard, so a stream looks at its
token once more after subscribing (``still_valid``) and ends if it is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.standing import refusal
from roost.core.db import Database, after_commit
from roost.oauth.models import AccessToken
from roost.streaming.streams import system_channel, token_channel

if TYPE_CHECKING:
    from roost.deps import Viewer
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

KILL = {"event": "kill"}


def ending_channels(viewer: Viewer) -> frozenset[str]:
    """The channels whose ``kill`` ends a connection opened by ``viewer``."""
    channels: set[str] = set()
    if viewer.token is not None:
        channels.add(token_channel(viewer.token.id))
    if viewer.account is not None:
        channels.add(system_channel(viewer.account.id))
    return frozenset(channels)


def end_streams(
    *,
    session: AsyncSession,
    runtime: Runtime,
    token_ids: Iterable[int] = (),
    account_ids: Iterable[int] = (),
) -> None:
    """Once ``session`` commits, end every open stream of these tokens and of these
    accounts, on every API process. The caller commits (``roost.core.db.commit``)."""
    channels = [token_channel(t) for t in dict.fromkeys(token_ids)]
    channels += [system_channel(a) for a in dict.fromkeys(account_ids)]
    if not channels:
        return

    async def kill() -> None:
        try:
            await runtime.bus.publish_each(channels, KILL)
        except Exception:
            # Best effort like every publish; the token itself is already revoked.
            log.exception("ending the streams of %s tokens or accounts failed", len(channels))

    after_commit(session, kill)


async def still_valid(db: Database, viewer: Viewer) -> bool:
    """Whether ``viewer``'s token is still unrevoked and its account still allowed in
    (approved, neither suspended nor disabled: ``accounts/standing.refusal``)."""
    if viewer.token is None:
        return True
    async with db.read() as session:
        row = (
            await session.execute(
                select(AccessToken.revoked_at, Account)
                .outerjoin(Account, Account.id == AccessToken.account_id)
                .where(AccessToken.id == viewer.token.id)
            )
        ).first()
    if row is None or row.revoked_at is not None:
        return False
    account: Account | None = row[1]
    return viewer.account is None or (account is not None and refusal(account) is None)
