"""The audit log: every moderator action, kept in the transaction of the action.

``log_action`` adds the row to the caller's session, so the action and its record
commit together or not at all. ``list_actions`` is what the moderation screen reads
(Mastodon's client API has no endpoint for it); who may read it (``VIEW_AUDIT_LOG``)
is the caller's to check.

Who acted is an account (a moderator, through the admin API or the screens) or the
``OPERATOR`` (whoever runs ``roost admin`` on the server, who has no account): their
entry has no actor account (``account_id`` null) and its summary begins with
``OPERATOR_NAME``. The summary names the actor the one way ``name_of`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.admin.models import AdminActionLog
from roost.core.db import utcnow
from roost.core.http import PageParams, iso
from roost.core.ids import new_id
from roost.core.paging import Page, Window, paginate

# What a logged action is about (``target_type``).
ACCOUNT = "Account"
REPORT = "Report"
EMAIL_DOMAIN_BLOCK = "EmailDomainBlock"
IP_BLOCK = "IpBlock"
SUMMARY_MAX = 500
OPERATOR_NAME = "The command line"


@dataclass(frozen=True)
class Operator:
    """Whoever runs ``roost admin`` on the server: no account, and every permission
    (they hold the database already). ``id`` is None, as an account-less actor's."""

    id: None = None


OPERATOR = Operator()
Actor = Account | Operator


def name_of(actor: Actor) -> str:
    """How an audit-log summary names who acted: ``@mod``, or the command line."""
    return OPERATOR_NAME if isinstance(actor, Operator) else f"@{actor.username}"


def log_action(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: int,
    did: str,
    text: str = "",
) -> AdminActionLog:
    """Record that ``actor`` did ``action`` to the target; committed by the caller.
    ``did`` is the rest of the summary's sentence after the actor's name ("suspended
    @bob"); ``text`` the moderator's own words, if any."""
    row = AdminActionLog(
        id=new_id(),
        account_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=f"{name_of(actor)} {did}"[:SUMMARY_MAX],
        text=text,
        created_at=utcnow(),
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class LoggedAction:
    id: int
    action: str
    # None: the command line (``OPERATOR``), or an account since deleted (only a rejected
    # sign-up's row ever is, and it cannot have acted); the summary names them either way.
    actor_id: int | None
    actor_username: str | None
    target_type: str
    target_id: int
    summary: str
    text: str
    created_at: datetime

    @property
    def sentence(self) -> str:
        """What the screens show: the summary, then the moderator's words."""
        return f"{self.summary}: {self.text}" if self.text else self.summary

    def render(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "action": self.action,
            "account_id": str(self.actor_id) if self.actor_id is not None else None,
            "username": self.actor_username,
            "target_type": self.target_type,
            "target_id": str(self.target_id),
            "summary": self.summary,
            "text": self.text,
            "created_at": iso(self.created_at),
        }


async def list_actions(
    *,
    session: AsyncSession,
    page: PageParams | Window,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | None = None,
) -> Page[LoggedAction]:
    """One page of the log, newest first (paged by id, with the Link cursors of
    ``core/paging.py``), optionally only one moderator's actions or one target's."""
    query = select(AdminActionLog, Account.username).outerjoin(
        Account, Account.id == AdminActionLog.account_id
    )
    if actor_id is not None:
        query = query.where(AdminActionLog.account_id == actor_id)
    if target_type is not None:
        query = query.where(AdminActionLog.target_type == target_type)
    if target_id is not None:
        query = query.where(AdminActionLog.target_id == target_id)
    found = await paginate(session, query, key=AdminActionLog.id, page=page)
    return found.with_items(
        [
            LoggedAction(
                id=row.id,
                action=row.action,
                actor_id=row.account_id,
                actor_username=username,
                target_type=row.target_type,
                target_id=row.target_id,
                summary=row.summary,
                text=row.text,
                created_at=row.created_at,
            )
            for row, username in found.items
        ]
    )
