"""Whose notifications a person accepts, filters or drops (Mastodon's
NotificationPolicy and ``NotifyService``'s filter and drop conditions), and the
requests that filtered notifications make.

A notification about to be made is checked against each of the recipient's rules
that says other than ``accept``; if any that applies says ``drop`` it is not made, else
if any says ``filter`` it is made ``filtered``: left out of every list until the
recipient accepts the request (the filtered notifications of one account). Accepting
also lets that account's later notifications through (a NotificationPermission).
The rules:

- ``for_not_following``: the recipient does not follow the actor;
- ``for_not_followers``: the actor does not follow the recipient;
- ``for_new_accounts``: the actor's account is younger than 30 days;
- ``for_private_mentions``: a direct mention from someone the recipient does not
  follow, unless it replies to the recipient's own post;
- ``for_limited_accounts``: accounts limited (silenced) by a moderator. Roost never
  gets this far with one the recipient does not follow: ``notify`` drops those first,
  as the moderation rule (statuses/visibility.withheld) says, so this rule never
  applies.

Without a policy row everything is ``accept``, and nothing is filtered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import as_utc, commit, utcnow
from roost.core.errors import Unprocessable
from roost.follows.relations import followed_among
from roost.notifications.models import (
    POLICY_VALUES,
    Notification,
    NotificationPermission,
    NotificationPolicy,
)
from roost.statuses.models import Status

FIELDS = (
    "for_not_following",
    "for_not_followers",
    "for_new_accounts",
    "for_private_mentions",
    "for_limited_accounts",
)
NEW_ACCOUNT_DAYS = 30
SUMMARY_CAP = 100
# Types that are never filtered (Mastodon's NON_FILTERABLE_TYPES that Roost has).
UNFILTERED_TYPES = ("poll", "update", "admin.report", "admin.sign_up")


async def policy_of(session: AsyncSession, account_id: int) -> NotificationPolicy:
    """The account's policy; an unsaved one with every field ``accept`` when none is kept."""
    found = await session.get(NotificationPolicy, account_id)
    if found is not None:
        return found
    return NotificationPolicy(account_id=account_id, **dict.fromkeys(FIELDS, "accept"))


async def get_policy(*, session: AsyncSession, account_id: int) -> dict[str, Any]:
    return await _render(session, await policy_of(session, account_id))


async def update_policy(
    *, session: AsyncSession, account_id: int, changes: dict[str, str]
) -> dict[str, Any]:
    """Change the fields given (each ``accept``, ``filter`` or ``drop``); the others stay."""
    for name, value in changes.items():
        if name not in FIELDS:
            raise Unprocessable(f"Validation failed: {name} is not a policy field")
        if value not in POLICY_VALUES:
            raise Unprocessable(f"Validation failed: {name} must be accept, filter or drop")
    current = await policy_of(session, account_id)
    values = {name: getattr(current, name) for name in FIELDS} | changes
    dialect = session.get_bind().dialect.name
    insert = (
        postgresql.insert(NotificationPolicy)
        if dialect == "postgresql"
        else sqlite.insert(NotificationPolicy)
    )
    await session.execute(
        insert.values(account_id=account_id, **values).on_conflict_do_update(
            index_elements=["account_id"], set_=values
        )
    )
    await commit(session)
    session.expire_all()
    return await _render(session, await policy_of(session, account_id))


async def _render(session: AsyncSession, policy: NotificationPolicy) -> dict[str, Any]:
    pending = select(Notification).where(
        Notification.account_id == policy.account_id, Notification.filtered.is_(True)
    )
    actors = (
        pending.with_only_columns(Notification.from_account_id).distinct().limit(SUMMARY_CAP)
    ).subquery()
    requests = await session.scalar(select(func.count()).select_from(actors))
    notifications = await session.scalar(pending.with_only_columns(func.count()))
    return {
        **{name: getattr(policy, name) for name in FIELDS},
        "summary": {
            "pending_requests_count": int(requests or 0),
            "pending_notifications_count": int(notifications or 0),
        },
    }


def render_v1(policy: dict[str, Any]) -> dict[str, Any]:
    """The v1 shape: ``filter_*`` booleans (true when the v2 field is not ``accept``)."""
    return {
        **{
            name.replace("for_", "filter_", 1): policy[name] != "accept"
            for name in FIELDS
            if name != "for_limited_accounts"
        },
        "summary": policy["summary"],
    }


def from_v1(changes: dict[str, bool]) -> dict[str, str]:
    return {
        name.replace("filter_", "for_", 1): "filter" if value else "accept"
        for name, value in changes.items()
    }


async def decide(
    session: AsyncSession,
    *,
    recipient_id: int,
    actor_id: int,
    type: str,
    status_id: int | None,
) -> str:
    """``accept``, ``filter`` or ``drop`` for a notification about to be made."""
    policy = await session.get(NotificationPolicy, recipient_id)
    if policy is None or type in UNFILTERED_TYPES:
        return "accept"
    rules = {name: getattr(policy, name) for name in FIELDS if getattr(policy, name) != "accept"}
    if not rules:
        return "accept"
    permitted = await session.get(NotificationPermission, (recipient_id, actor_id))
    if permitted is not None:
        return "accept"
    following = bool(await followed_among(session, viewer_id=recipient_id, among=[actor_id]))
    applies = {
        "for_not_following": not following,
        "for_limited_accounts": False,
    }
    if "for_not_followers" in rules:
        applies["for_not_followers"] = not await followed_among(
            session, viewer_id=actor_id, among=[recipient_id]
        )
    if "for_new_accounts" in rules:
        actor = await session.get(Account, actor_id)
        young = utcnow() - timedelta(days=NEW_ACCOUNT_DAYS)
        applies["for_new_accounts"] = actor is not None and as_utc(actor.created_at) > young
    if "for_private_mentions" in rules:
        status = await session.get(Status, status_id) if status_id is not None else None
        applies["for_private_mentions"] = (
            type == "mention"
            and status is not None
            and status.visibility == "direct"
            and not following
            and status.in_reply_to_account_id != recipient_id
        )
    verdicts = {value for name, value in rules.items() if applies.get(name)}
    return "drop" if "drop" in verdicts else "filter" if "filter" in verdicts else "accept"


async def accept_requests(*, session: AsyncSession, account_id: int, actor_ids: list[int]) -> None:
    """Show the filtered notifications of these accounts, and let their next ones through."""
    await session.execute(
        update(Notification)
        .where(
            Notification.account_id == account_id,
            Notification.from_account_id.in_(actor_ids),
            Notification.filtered.is_(True),
        )
        .values(filtered=False)
    )
    for actor_id in actor_ids:
        if await session.get(NotificationPermission, (account_id, actor_id)) is None:
            session.add(NotificationPermission(account_id=account_id, from_account_id=actor_id))
    await commit(session)


async def dismiss_requests(*, session: AsyncSession, account_id: int, actor_ids: list[int]) -> None:
    """Forget the filtered notifications of these accounts."""
    await session.execute(
        delete(Notification).where(
            Notification.account_id == account_id,
            Notification.from_account_id.in_(actor_ids),
            Notification.filtered.is_(True),
        )
    )
    await commit(session)
