"""The ``admin.sign_up`` notification: every staff member whose role may manage users
hears of each new account, waiting for approval or not (the notification's account
is the newcomer, so a moderator sees the pending sign-up in it).

Registration only writes a job in its own transaction (``schedule_sign_up_notice``);
the job tells the staff after commit, so a sign-up costs nothing per moderator and a
crash in between loses nothing (the outbox sweep re-drives it). Run twice, it tells
nobody twice: ``notify`` skips a notification that exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.roles import ROLES, Permission
from roost.core.db import commit
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.notifications.service import notify

if TYPE_CHECKING:
    from roost.runtime import Runtime

KIND = "notify_staff_of_sign_up"
STAFF_ROLES = tuple(
    name for name, role in ROLES.items() if role.is_staff and role.allows(Permission.MANAGE_USERS)
)


def schedule_sign_up_notice(session: AsyncSession, runtime: Runtime, *, account_id: int) -> None:
    """Tell the staff of this new account once ``session`` commits."""
    schedule_job(session, runtime, KIND, account_id=account_id)


async def notify_staff_of_sign_up(*, runtime: Runtime, account_id: int) -> None:
    async with runtime.db.write() as session:
        account = await session.get(Account, account_id)
        if account is None:  # rejected (or deleted) before the job ran
            return
        staff = await session.scalars(
            select(Account.id).where(
                Account.role.in_(STAFF_ROLES),
                Account.approved.is_(True),
                Account.suspended_at.is_(None),
                Account.id != account_id,
            )
        )
        for staff_id in staff.all():
            await notify(
                session=session,
                runtime=runtime,
                recipient_id=staff_id,
                actor_id=account_id,
                type="admin.sign_up",
            )
        await commit(session)


@job(KIND)
async def _notify_staff_of_sign_up(runtime: Runtime, *, account_id: int) -> None:
    await notify_staff_of_sign_up(runtime=runtime, account_id=account_id)
