"""Whom to follow: accounts followed by the people you follow, then the most followed
accounts of the server.

Never yourself, nobody you follow, nobody blocked either way or muted, nobody you
dismissed (``SuggestionDismissal``), nobody unapproved or not discoverable. Each
source is one query with those conditions in it (the follow graph's conditions come
from ``follows/relations.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.standing import seen_by_others
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound
from roost.discovery.models import SuggestionDismissal
from roost.follows.relations import followed_by_followed, follows, mutes, not_blocked_either_way

# Mastodon's ``sources`` for each, and the deprecated single ``source`` they map to.
FRIENDS_OF_FRIENDS = ("friends_of_friends", "past_interactions")
MOST_FOLLOWED = ("most_followed", "global")


def _suggestible(viewer_id: int) -> ColumnElement[bool]:
    """SQL condition on ``Account``: may be suggested to the viewer."""
    dismissed = exists().where(
        SuggestionDismissal.account_id == viewer_id,
        SuggestionDismissal.target_account_id == Account.id,
    )
    return and_(
        Account.id != viewer_id,
        seen_by_others(),
        Account.silenced_at.is_(None),  # a silenced account is not put before anyone
        Account.discoverable.is_(True),
        ~follows(viewer_id, Account.id),
        ~mutes(viewer_id, Account.id),
        not_blocked_either_way(viewer_id, Account.id),
        ~dismissed,
    )


async def suggest_accounts(
    *, session: AsyncSession, viewer_id: int, limit: int
) -> list[tuple[int, tuple[str, str]]]:
    """Up to ``limit`` account ids to suggest, best first, each with its source."""
    graph = followed_by_followed(viewer_id).subquery()
    friends = await session.scalars(
        select(Account.id)
        .join(graph, graph.c.target_account_id == Account.id)
        .where(_suggestible(viewer_id))
        .order_by(graph.c.friends.desc(), Account.followers_count.desc(), Account.id.desc())
        .limit(limit)
    )
    chosen = [(account_id, FRIENDS_OF_FRIENDS) for account_id in friends.all()]
    if len(chosen) < limit:
        popular = await session.scalars(
            select(Account.id)
            .where(_suggestible(viewer_id), Account.id.not_in([a for a, _ in chosen] or [0]))
            .order_by(Account.followers_count.desc(), Account.id.desc())
            .limit(limit - len(chosen))
        )
        chosen += [(account_id, MOST_FOLLOWED) for account_id in popular.all()]
    return chosen


def render_suggestion(account: dict[str, Any], source: tuple[str, str]) -> dict[str, Any]:
    """Mastodon's Suggestion entity."""
    return {"source": source[1], "sources": [source[0]], "account": account}


async def dismiss_suggestion(*, session: AsyncSession, viewer_id: int, account_id: int) -> None:
    """Never suggest this account to the viewer again (repeating it is harmless)."""
    if await session.get(Account, account_id) is None:
        raise NotFound()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(SuggestionDismissal)
        .values(account_id=viewer_id, target_account_id=account_id, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    await commit(session)
