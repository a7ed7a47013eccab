"""What a moderator does to an account from the moderation screens: approve or reject a
pending sign-up, take an action (``none``, ``sensitive``, ``disable``, ``silence``,
``suspend``, Mastodon's list) with a note, and reverse one.

Each verb checks that the actor's role grants MANAGE_USERS and outranks the target's
(a moderator acts on users, an admin on moderators too, nobody on themselves or their
equals: Mastodon's ``role.overrides?``), calls the moderation verb
(``moderation/service.py``, which owns the account states and their effects), records
itself in the audit log and commits, in one transaction. An action other than ``none``
resolves every open report on the account, as Mastodon's does; ``none`` resolves only
the report it was taken from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.roles import Permission, role_of
from roost.admin.audit import log_action
from roost.admin.service import may_act
from roost.core.db import commit
from roost.core.errors import Forbidden, NotFound, Unprocessable
from roost.moderation import service as moderation
from roost.reports.models import Report
from roost.reports.review import mark_resolved, open_reports_on

if TYPE_CHECKING:
    from roost.runtime import Runtime

Verb = Callable[..., Awaitable[None]]
MAX_NOTE = 1000

# type: (the moderation verb, Mastodon's name in the audit log, what the log says)
ACTIONS: dict[str, tuple[Verb | None, str, str]] = {
    "none": (None, "warn", "warned"),
    "sensitive": (moderation.sensitize_account, "sensitive", "marked as sensitive"),
    "disable": (moderation.disable_account, "disable", "disabled the login of"),
    "silence": (moderation.silence_account, "silence", "limited"),
    "suspend": (moderation.suspend_account, "suspend", "suspended"),
}
REVERSALS: dict[str, tuple[Verb, str]] = {
    "unsensitize": (moderation.unsensitize_account, "no longer marks as sensitive"),
    "enable": (moderation.enable_account, "re-enabled the login of"),
    "unsilence": (moderation.unsilence_account, "lifted the limit on"),
    "unsuspend": (moderation.unsuspend_account, "unsuspended"),
}
LOGGED_AS = {"unsensitize": "unsensitive"}  # Mastodon's action names


def may_manage(actor: Account, target: Account) -> bool:
    return may_act(actor, target, Permission.MANAGE_USERS)


async def _target(session: AsyncSession, actor: Account, account_id: int) -> Account:
    if not role_of(actor.role).allows(Permission.MANAGE_USERS):
        raise Forbidden("This action is not allowed")
    target = await session.get(Account, account_id)
    if target is None:
        raise NotFound()
    if not may_manage(actor, target):
        raise Forbidden(f"Your role does not allow acting on @{target.username}")
    return target


def _log(session: AsyncSession, actor: Account, target: Account, action: str, summary: str) -> None:
    log_action(
        session=session,
        actor=actor,
        action=action,
        target_type="Account",
        target_id=target.id,
        summary=summary,
    )


async def list_pending(*, session: AsyncSession, limit: int = 100) -> list[Account]:
    """Sign-ups waiting for approval, oldest first (the first to have waited)."""
    rows = await session.scalars(
        select(Account).where(Account.approved.is_(False)).order_by(Account.id).limit(limit)
    )
    return list(rows.all())


async def _pending(session: AsyncSession, actor: Account, account_id: int) -> Account:
    target = await _target(session, actor, account_id)
    if target.approved:
        raise Unprocessable(f"@{target.username} is not waiting for approval")
    return target


async def approve(
    *, session: AsyncSession, runtime: Runtime, actor: Account, account_id: int
) -> str:
    """Let a pending account in; answers its username."""
    target = await _pending(session, actor, account_id)
    await moderation.approve_account(runtime=runtime, session=session, account=target)
    _log(session, actor, target, "approve", f"@{actor.username} approved @{target.username}")
    await commit(session)
    return target.username


async def reject(
    *, session: AsyncSession, runtime: Runtime, actor: Account, account_id: int
) -> str:
    """Turn a pending account away; answers its username."""
    target = await _pending(session, actor, account_id)
    username = target.username
    _log(session, actor, target, "reject", f"@{actor.username} rejected @{username}")
    await moderation.reject_account(runtime=runtime, session=session, account=target)
    await commit(session)
    return username


async def take_action(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Account,
    account_id: int,
    type: str,
    note: str,
    report_id: int | None = None,
) -> None:
    if type not in ACTIONS:
        raise Unprocessable(f"Validation failed: type must be one of {', '.join(ACTIONS)}")
    if len(note) > MAX_NOTE:
        raise Unprocessable(f"Validation failed: the note is over {MAX_NOTE} characters")
    target = await _target(session, actor, account_id)
    report = None
    if report_id is not None:
        report = await session.get(Report, report_id)
        if report is None or report.target_account_id != target.id:
            raise NotFound()
    verb, action, did = ACTIONS[type]
    if verb is not None:
        await verb(runtime=runtime, session=session, account=target)
    summary = f"@{actor.username} {did} @{target.username}" + (f": {note}" if note else "")
    _log(session, actor, target, action, summary)
    answered = await open_reports_on(session=session, target_id=target.id) if verb else []
    if report is not None and report not in answered:
        answered.append(report)
    for each in answered:
        await mark_resolved(session=session, actor=actor, report=each)
    await commit(session)


async def reverse(
    *, session: AsyncSession, runtime: Runtime, actor: Account, account_id: int, undo: str
) -> None:
    if undo not in REVERSALS:
        raise Unprocessable(f"Validation failed: undo must be one of {', '.join(REVERSALS)}")
    target = await _target(session, actor, account_id)
    verb, did = REVERSALS[undo]
    await verb(runtime=runtime, session=session, account=target)
    action = LOGGED_AS.get(undo, undo)
    _log(session, actor, target, action, f"@{actor.username} {did} @{target.username}")
    await commit(session)
