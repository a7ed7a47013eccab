"""Moderating accounts: approve or reject a sign-up, act on an account (warn, mark
sensitive, disable, silence, suspend) and undo each. One verb per action, for every
door: the admin API, the moderation screens and ``roost admin`` (whose actor is the
``OPERATOR``, who has no account and may do anything).

Who may (Mastodon's account and user policies, one step stricter):

- every verb needs a role that may manage users (the API's ``require_staff`` and the
  screens' ``staff_member`` ask first; the verbs ask again), and ``action`` also one
  that may manage reports;
- nobody acts on their own account;
- a role acts only on accounts of a lower rank (``Role.rank``): a moderator cannot
  suspend an admin, an admin cannot suspend the owner. Mastodon lets any user manager
  *undo* (unsuspend, unsilence, ...) whatever the rank; Roost asks the rank there too,
  so a moderator cannot lift what an admin put on another admin.

Each verb loads the target locked for update (two moderators racing on one account
take turns on PostgreSQL; SQLite's writers already do), checks, calls the moderation
verb (``roost.moderation.service``: it changes the account in this session), writes the
audit-log row in the same session and commits; the verb's effects run after commit.
A refused action writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.admin_render import render_admin_account
from roost.accounts.models import Account
from roost.accounts.roles import Permission, role_of
from roost.admin import audit
from roost.admin.audit import Actor, Operator
from roost.core.db import commit
from roost.core.errors import Forbidden, NotFound, Unprocessable
from roost.lifecycle.deletion import tombstone_account
from roost.moderation import service as moderation
from roost.reports.review import resolve_answered

if TYPE_CHECKING:
    from roost.runtime import Runtime

Verb = Callable[..., Awaitable[None]]
ACTION_TYPES = ("none", "sensitive", "disable", "silence", "suspend")
TEXT_MAX = 5000
# type -> (the moderation verb, the audit action, what the summary says was done)
_ACTIONS: dict[str, tuple[Verb | None, str, str]] = {
    "none": (None, "warn", "warned"),
    "sensitive": (moderation.sensitize_account, "sensitive", "marked as sensitive"),
    "disable": (moderation.disable_account, "disable", "disabled the login of"),
    "silence": (moderation.silence_account, "silence", "limited"),
    "suspend": (moderation.suspend_account, "suspend", "suspended"),
}


async def show_account(
    *, session: AsyncSession, runtime: Runtime, account_id: int
) -> dict[str, Any]:
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound()
    return render_admin_account(account, base_url=runtime.settings.base_url)


async def _target(session: AsyncSession, account_id: int) -> Account:
    account = await session.scalar(
        select(Account).where(Account.id == account_id).with_for_update()
    )
    if account is None:
        raise NotFound()
    return account


def may_act(actor: Actor, target: Account, *permissions: Permission) -> bool:
    """``actor``'s role grants ``permissions`` and outranks ``target``'s (so ``target``
    is someone else): the one rank rule of the API, the screens and the reports. The
    command line may do anything."""
    if isinstance(actor, Operator):
        return True
    role = role_of(actor.role)
    return all(role.allows(p) for p in permissions) and role.rank > role_of(target.role).rank


def check_may_act(actor: Actor, target: Account, *permissions: Permission) -> None:
    """403 unless ``actor``'s role grants ``permissions`` and outranks ``target``'s,
    and ``target`` is someone else (the command line always may)."""
    if isinstance(actor, Operator):
        return
    role = role_of(actor.role)
    if not all(role.allows(permission) for permission in permissions):
        raise Forbidden("This action is not allowed")
    if actor.id == target.id:
        raise Forbidden("You cannot moderate your own account")
    if role.rank <= role_of(target.role).rank:
        raise Forbidden("This action is not allowed: the account's role is not below yours")


def _log_on(
    session: AsyncSession, actor: Actor, target: Account, action: str, done: str, text: str = ""
) -> None:
    audit.log_action(
        session,
        actor=actor,
        action=action,
        target_type=audit.ACCOUNT,
        target_id=target.id,
        did=f"{done} @{target.username}",
        text=text,
    )


async def approve_account(
    *, session: AsyncSession, runtime: Runtime, actor: Actor, account_id: int
) -> dict[str, Any]:
    """Let a pending sign-up in (403 if it is not pending)."""
    target = await _target(session, account_id)
    check_may_act(actor, target, Permission.MANAGE_USERS)
    if target.approved:
        raise Forbidden("This account is not waiting for approval")
    await moderation.approve_account(runtime=runtime, session=session, account=target)
    _log_on(session, actor, target, "approve", "approved")
    await commit(session)
    return render_admin_account(target, base_url=runtime.settings.base_url)


async def reject_account(
    *, session: AsyncSession, runtime: Runtime, actor: Actor, account_id: int
) -> dict[str, Any]:
    """Turn a pending sign-up away: the account is deleted (its name and address are
    free again, as on Mastodon). Answers the account as it was."""
    target = await _target(session, account_id)
    check_may_act(actor, target, Permission.MANAGE_USERS)
    if target.approved:
        raise Forbidden("This account is not waiting for approval")
    rendered = render_admin_account(target, base_url=runtime.settings.base_url)
    _log_on(session, actor, target, "reject", "rejected")
    await moderation.reject_account(runtime=runtime, session=session, account=target)
    await commit(session)
    return rendered


async def act_on_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    type: str | None,
    text: str = "",
    report_id: int | None = None,
    warning_preset_id: str | None = None,
) -> None:
    """Mastodon's account action: ``none`` (a warning, recorded), ``sensitive``,
    ``disable``, ``silence`` or ``suspend``, with the moderator's ``text`` kept in the
    log. Any action but ``none`` resolves every open report about the account;
    ``report_id`` names one (404 if there is none) that is resolved in any case. Roost
    has no warning presets (any ``warning_preset_id`` is 404) and sends no email."""
    kind = (type or "").strip()
    if kind not in ACTION_TYPES:
        raise Unprocessable(f"Validation failed: type must be one of {', '.join(ACTION_TYPES)}")
    if (warning_preset_id or "").strip():
        raise NotFound()
    if len(text) > TEXT_MAX:
        raise Unprocessable(f"Validation failed: text is too long (maximum is {TEXT_MAX})")
    target = await _target(session, account_id)
    check_may_act(actor, target, Permission.MANAGE_USERS, Permission.MANAGE_REPORTS)
    verb, action, done = _ACTIONS[kind]
    if verb is not None:
        await verb(runtime=runtime, session=session, account=target)
    _log_on(session, actor, target, action, done, text)
    await resolve_answered(
        session=session,
        actor=actor,
        target_id=target.id,
        report_id=report_id,
        every_open=kind != "none",
    )
    await commit(session)


async def _undo(
    session: AsyncSession,
    runtime: Runtime,
    *,
    actor: Actor,
    account_id: int,
    verb: Verb,
    state: str,
    action: str,
    done: str,
    strict: bool,
    refuse_when_off: str | None = None,
) -> dict[str, Any]:
    """Lift ``state`` (a column: the time it began). Logged only when it was on; the
    answer is the account either way, as on Mastodon, unless ``refuse_when_off`` (a
    403's message) says otherwise, or ``strict`` asks the moderation verb to refuse
    (422: the command line says there was nothing to lift)."""
    target = await _target(session, account_id)
    check_may_act(actor, target, Permission.MANAGE_USERS)
    if getattr(target, state) is None and refuse_when_off is not None:
        raise Forbidden(refuse_when_off)
    if getattr(target, state) is not None or strict:
        await verb(runtime=runtime, session=session, account=target)
        _log_on(session, actor, target, action, done)
        await commit(session)
    return render_admin_account(target, base_url=runtime.settings.base_url)


async def enable_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    strict: bool = False,
) -> dict[str, Any]:
    return await _undo(
        session,
        runtime,
        actor=actor,
        account_id=account_id,
        strict=strict,
        verb=moderation.enable_account,
        state="disabled_at",
        action="enable",
        done="re-enabled the login of",
    )


async def unsilence_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    strict: bool = False,
) -> dict[str, Any]:
    return await _undo(
        session,
        runtime,
        actor=actor,
        account_id=account_id,
        strict=strict,
        verb=moderation.unsilence_account,
        state="silenced_at",
        action="unsilence",
        done="lifted the limit on",
    )


async def unsensitize_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    strict: bool = False,
) -> dict[str, Any]:
    return await _undo(
        session,
        runtime,
        actor=actor,
        account_id=account_id,
        strict=strict,
        verb=moderation.unsensitize_account,
        state="sensitized_at",
        action="unsensitive",
        done="no longer marks as sensitive",
    )


async def unsuspend_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    strict: bool = False,
) -> dict[str, Any]:
    """Lift a suspension; 403 if the account is not suspended (as on Mastodon)."""
    return await _undo(
        session,
        runtime,
        actor=actor,
        account_id=account_id,
        strict=strict,
        verb=moderation.unsuspend_account,
        state="suspended_at",
        action="unsuspend",
        done="unsuspended",
        refuse_when_off="This account is not suspended",
    )


async def delete_account_data(
    *, session: AsyncSession, runtime: Runtime, actor: Actor, account_id: int
) -> None:
    """``DELETE /api/v1/admin/accounts/:id``: Mastodon's refusals, in its order (404, a
    role without ``DELETE_USER_DATA`` or not outranking the account, an account that is
    not suspended), then the account is deleted as a person deletes their own
    (lifecycle/deletion.py: a tombstone at once, the data removed by a job)."""
    target = await _target(session, account_id)
    check_may_act(actor, target, Permission.DELETE_USER_DATA)
    if target.suspended_at is None:
        raise Forbidden("Only a suspended account's data can be deleted")
    if target.deleted_at is not None:
        raise NotFound()
    await tombstone_account(session=session, runtime=runtime, account=target)
    _log_on(session, actor, target, "delete", "deleted the data of")
    await commit(session)


# What lifts each state, by the name of its API endpoint (Mastodon's audit action too).
REVERSALS: dict[str, Callable[..., Awaitable[dict[str, Any]]]] = {
    "unsensitive": unsensitize_account,
    "enable": enable_account,
    "unsilence": unsilence_account,
    "unsuspend": unsuspend_account,
}


async def lift_state(
    *,
    session: AsyncSession,
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    undo: str,
    strict: bool = False,
) -> dict[str, Any]:
    """The reversal named ``undo`` (a key of ``REVERSALS``; anything else is 422), for
    the doors that name it in a form or an argument: the screens and the command line."""
    lift = REVERSALS.get(undo)
    if lift is None:
        raise Unprocessable(f"Validation failed: undo must be one of {', '.join(REVERSALS)}")
    return await lift(
        session=session, runtime=runtime, actor=actor, account_id=account_id, strict=strict
    )
