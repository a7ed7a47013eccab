"""The moderation screens for staff: the moderation home (sign-ups waiting for approval,
approve or reject), an account with the actions a moderator may take and reverse, and
the audit log. Reports are ``moderation_reports.py``.

Only staff reach them (``visitor.staff_member``): anyone else gets 403 and sees no link
to them. Each screen asks for the permission its work needs (MANAGE_USERS for accounts,
VIEW_AUDIT_LOG for the log), and every action goes through the admin API's own verbs
(``admin/service.py``), which check the actor outranks the account and keep the action
in the audit log.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, field_validator
from starlette.responses import Response

from roost.accounts.admin_render import render_admin_account
from roost.accounts.models import Account
from roost.accounts.roles import Permission, role_of
from roost.admin import service
from roost.admin.audit import ACCOUNT, list_actions
from roost.admin.listing import pending_accounts
from roost.core.errors import NotFound
from roost.core.http import PageParams, page_params, params, parse_id
from roost.core.inputs import id_or_none
from roost.core.paging import Window
from roost.deps import ReadSession, RuntimeDep, WriteSession
from roost.reports import review
from roost.web.pages import WebRoute, redirect, render_page
from roost.web.visitor import Member, checked_staff_member, staff_member

router = APIRouter(route_class=WebRoute)
AUDIT_PAGE = 40
PENDING_SHOWN = 100
USERNAME = re.compile(r"[A-Za-z0-9_]{1,30}")

Staff = Annotated[Member, Depends(staff_member())]
UserManager = Annotated[Member, Depends(staff_member(Permission.MANAGE_USERS))]
CheckedUserManager = Annotated[Member, Depends(checked_staff_member(Permission.MANAGE_USERS))]
AuditReader = Annotated[Member, Depends(staff_member(Permission.VIEW_AUDIT_LOG))]

ACTION_CHOICES = [
    ("none", "No action", "Keep a note of a warning; nothing changes for the account."),
    ("sensitive", "Mark as sensitive", "Their media is shown behind a warning."),
    ("disable", "Freeze login", "They cannot sign in; their posts stay."),
    ("silence", "Limit", "Their posts are seen by their followers only."),
    ("suspend", "Suspend", "Their account and posts disappear for everyone else."),
]
# state column -> (the reversal, its button, what the state is called)
STATES = [
    ("suspended_at", "unsuspend", "Unsuspend", "Suspended"),
    ("silenced_at", "unsilence", "Lift the limit", "Limited"),
    ("disabled_at", "enable", "Unfreeze login", "Login frozen"),
    ("sensitized_at", "unsensitive", "Unmark sensitive", "Marked sensitive"),
]


class ActionForm(BaseModel):
    type: str = ""
    text: str = ""  # the note kept in the audit log (the admin API's ``text``)
    report_id: str = ""  # the report the action answers, if any


class ReverseForm(BaseModel):
    undo: str = ""


class DoneQuery(BaseModel):
    """What the screen after an action says was done (an unknown word says nothing)."""

    done: str = ""
    who: str = ""  # the account approved or rejected
    report_id: str = ""  # the report an action from the account screen answers

    @field_validator("done")
    @classmethod
    def _known(cls, value: str) -> str:
        known = {*service.ACTION_TYPES, *service.REVERSALS, "approve", "reject"}
        return value if value in known else ""

    @field_validator("who")
    @classmethod
    def _username(cls, value: str) -> str:
        return value if USERNAME.fullmatch(value) else ""

    @field_validator("report_id")
    @classmethod
    def _id(cls, value: str) -> str:
        return value if id_or_none(value) is not None else ""


Done = Annotated[DoneQuery, Depends(params(DoneQuery))]


def permissions(member: Member) -> dict[str, bool]:
    """Which parts of moderation the member's role opens (for links and sections)."""
    role = role_of(member.account.role)
    return {
        "users": role.allows(Permission.MANAGE_USERS),
        "reports": role.allows(Permission.MANAGE_REPORTS),
        "audit": role.allows(Permission.VIEW_AUDIT_LOG),
    }


@router.get("/moderation")
async def moderation_home(
    request: Request, member: Staff, query: Done, session: ReadSession, runtime: RuntimeDep
) -> Response:
    can = permissions(member)
    pending = await pending_accounts(session=session, limit=PENDING_SHOWN) if can["users"] else []
    open_reports = await review.count_open_reports(session=session) if can["reports"] else 0
    base_url = runtime.settings.base_url
    return await render_page(
        request,
        "moderation.html",
        session=session,
        title="Moderation",
        can=can,
        pending=[render_admin_account(a, base_url=base_url) for a in pending],
        open_reports=open_reports,
        done=query.done,
        who=query.who,
    )


@router.post("/moderation/accounts/{account_id}/approve")
async def approve(
    account_id: str,
    member: CheckedUserManager,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    approved = await service.approve_account(
        session=session, runtime=runtime, actor=member.account, account_id=parse_id(account_id)
    )
    return redirect(f"/moderation?done=approve&who={approved['username']}")


@router.post("/moderation/accounts/{account_id}/reject")
async def reject(
    account_id: str,
    member: CheckedUserManager,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    rejected = await service.reject_account(
        session=session, runtime=runtime, actor=member.account, account_id=parse_id(account_id)
    )
    return redirect(f"/moderation?done=reject&who={rejected['username']}")


@router.get("/moderation/accounts/{account_id}")
async def account_page(
    request: Request,
    account_id: str,
    member: UserManager,
    query: Done,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    account = await session.get(Account, parse_id(account_id))
    if account is None:
        raise NotFound()
    reports = await review.list_reports(
        session=session, target_account_id=account.id, window=Window(limit=20)
    )
    history = await list_actions(
        session=session, page=Window(limit=20), target_type=ACCOUNT, target_id=account.id
    )
    states: list[dict[str, Any]] = [
        {"undo": undo, "button": button, "name": name, "since": getattr(account, column)}
        for column, undo, button, name in STATES
        if getattr(account, column) is not None
    ]
    return await render_page(
        request,
        "moderation_account.html",
        session=session,
        title=f"Moderate @{account.username}",
        can=permissions(member),
        account=render_admin_account(account, base_url=runtime.settings.base_url),
        may_act=service.may_act(member.account, account, Permission.MANAGE_USERS),
        states=states,
        choices=ACTION_CHOICES,
        text_max=service.TEXT_MAX,
        open_reports=reports.items,
        history=history.items,
        done=query.done,
        report_id=query.report_id,
    )


@router.post("/moderation/accounts/{account_id}/action")
async def take_action(
    account_id: str,
    member: CheckedUserManager,
    form: Annotated[ActionForm, Depends(params(ActionForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    target = parse_id(account_id)
    report_id = parse_id(form.report_id) if form.report_id else None
    await service.act_on_account(
        session=session,
        runtime=runtime,
        actor=member.account,
        account_id=target,
        type=form.type,
        text=form.text.strip(),
        report_id=report_id,
    )
    return redirect(f"/moderation/accounts/{target}?done={form.type}")


@router.post("/moderation/accounts/{account_id}/reverse")
async def reverse(
    account_id: str,
    member: CheckedUserManager,
    form: Annotated[ReverseForm, Depends(params(ReverseForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    target = parse_id(account_id)
    await service.lift_state(
        session=session, runtime=runtime, actor=member.account, account_id=target, undo=form.undo
    )
    return redirect(f"/moderation/accounts/{target}?done={form.undo}")


@router.get("/moderation/audit")
async def audit_log(
    request: Request,
    member: AuditReader,
    session: ReadSession,
    paging: Annotated[PageParams, Depends(page_params)],
) -> Response:
    page = await list_actions(session=session, page=Window(max_id=paging.max_id, limit=AUDIT_PAGE))
    return await render_page(
        request,
        "moderation_audit.html",
        session=session,
        title="Audit log",
        can=permissions(member),
        entries=page.items,
        older=page.next_max if len(page.items) == AUDIT_PAGE else None,
    )
