"""The audit log: every moderator action is kept, for the staff to read back.

``log_action`` is called inside the transaction of the action it records, so the entry
commits with the action or not at all. Reading is newest first, paged by id through
``core/paging.py``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.admin.models import AdminActionLog
from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.core.paging import Page, Window, paginate


async def log_action(
    *,
    session: AsyncSession,
    actor: Account,
    action: str,
    target_type: str,
    target_id: int,
    summary: str,
) -> None:
    """Record that ``actor`` did ``action`` to the ``target_type`` ``target_id``; the
    caller commits."""
    session.add(
        AdminActionLog(
            id=new_id(),
            account_id=actor.id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            summary=summary,
            created_at=utcnow(),
        )
    )


async def list_actions(
    *,
    session: AsyncSession,
    window: Window,
    target_type: str | None = None,
    target_id: int | None = None,
) -> Page[AdminActionLog]:
    """A page of the log, newest first; with a target, only what was done to it."""
    query = select(AdminActionLog)
    if target_type is not None and target_id is not None:
        query = query.where(
            AdminActionLog.target_type == target_type, AdminActionLog.target_id == target_id
        )
    return await paginate(session, query, key=AdminActionLog.id, page=window)
