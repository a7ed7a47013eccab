"""The pages a mail links to, and the forms that ask for a mail: confirming an address,
asking for the confirmation again, "forgot password", and setting a new password.

Every form that names an address answers the same whether or not an account has it.
Without ROOST_SMTP_URL no mail is sent: the pages say so (an administrator resets
passwords with ``roost admin``, and accounts need no confirmation).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.core.errors import RateLimited, RoostError
from roost.core.http import params
from roost.deps import PrimarySession, RuntimeDep, WriteSession, client_ip
from roost.mail import service as mail
from roost.web import service
from roost.web.forms import EmailForm, ResetPasswordForm
from roost.web.pages import WebRoute, render_page
from roost.web.routes.auth import SLOW_DOWN
from roost.web.visitor import CheckedVisitor, VisitorDep

router = APIRouter(route_class=WebRoute)

SENT_RESET = (
    "If an account on this server has the address {email}, a mail with a link to choose a "
    "new password is on its way. The link works once, for an hour."
)
SENT_CONFIRMATION = (
    "If an account on this server waits for {email} to be confirmed, a new confirmation "
    "mail is on its way."
)


async def _form_page(
    request: Request,
    template: str,
    title: str,
    runtime: RuntimeDep,
    *,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return await render_page(
        request,
        template,
        status_code=status_code,
        title=title,
        mail_enabled=runtime.settings.mail_enabled,
        **context,
    )


@router.get("/auth/confirmation")
async def confirm(
    request: Request, _visitor: VisitorDep, session: WriteSession, runtime: RuntimeDep
) -> Response:
    """The link of the confirmation mail (a GET, as mail clients open it)."""
    token = request.query_params.get("confirmation_token", "")
    account = await mail.confirm_email(session=session, runtime=runtime, token=token)
    then = (
        "You can log in now."
        if account.approved
        else "Your account now waits for a moderator's approval; "
        "you can log in once it is approved."
    )
    return await render_page(
        request,
        "message.html",
        title="Address confirmed",
        message=f"Thank you, @{account.username}: your email address is confirmed. {then}",
        action=("/login", "Log in") if account.approved else None,
    )


@router.get("/auth/confirmation/new")
async def confirmation_page(
    request: Request, _visitor: VisitorDep, runtime: RuntimeDep
) -> Response:
    return await _form_page(request, "confirmation_new.html", "Confirmation mail", runtime)


@router.post("/auth/confirmation")
async def resend_confirmation(
    request: Request,
    _visitor: CheckedVisitor,
    form: Annotated[EmailForm, Depends(params(EmailForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await mail.request_confirmation(
            session=session, runtime=runtime, ip=client_ip(request), email=form.email
        )
    except RoostError as exc:
        return await _refused(request, "confirmation_new.html", "Confirmation mail", runtime, exc)
    return await _form_page(
        request,
        "confirmation_new.html",
        "Confirmation mail",
        runtime,
        notice=SENT_CONFIRMATION.format(email=form.email.strip()),
    )


@router.get("/auth/password/new")
async def forgot_password_page(
    request: Request, _visitor: VisitorDep, runtime: RuntimeDep
) -> Response:
    return await _form_page(request, "password_new.html", "Forgot your password?", runtime)


@router.post("/auth/password")
async def forgot_password(
    request: Request,
    _visitor: CheckedVisitor,
    form: Annotated[EmailForm, Depends(params(EmailForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await mail.request_password_reset(
            session=session, runtime=runtime, ip=client_ip(request), email=form.email
        )
    except RoostError as exc:
        return await _refused(request, "password_new.html", "Forgot your password?", runtime, exc)
    return await _form_page(
        request,
        "password_new.html",
        "Forgot your password?",
        runtime,
        notice=SENT_RESET.format(email=form.email.strip()),
    )


@router.get("/auth/password/edit")
async def new_password_page(
    request: Request, _visitor: VisitorDep, session: PrimarySession, runtime: RuntimeDep
) -> Response:
    """The link of the reset mail: the form, if the link can still be used."""
    token = request.query_params.get("reset_password_token", "")
    await mail.check_reset_token(session=session, token=token)
    return await _form_page(
        request, "password_edit.html", "Choose a new password", runtime, token=token
    )


@router.post("/auth/password/edit")
async def set_new_password(
    request: Request,
    _visitor: CheckedVisitor,
    form: Annotated[ResetPasswordForm, Depends(params(ResetPasswordForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        await service.reset_password(
            session=session,
            runtime=runtime,
            token=form.reset_password_token,
            new_password=form.password,
        )
    except RoostError as exc:
        return await _refused(
            request,
            "password_edit.html",
            "Choose a new password",
            runtime,
            exc,
            token=form.reset_password_token,
        )
    return await render_page(
        request,
        "login.html",
        title="Log in",
        next="/home",
        login="",
        mail_enabled=runtime.settings.mail_enabled,
        notice="Your password is changed, and every browser and app was signed out. "
        "Log in with the new password.",
    )


async def _refused(
    request: Request,
    template: str,
    title: str,
    runtime: RuntimeDep,
    exc: RoostError,
    **context: object,
) -> Response:
    message = SLOW_DOWN if isinstance(exc, RateLimited) else exc.message
    page = await _form_page(
        request,
        template,
        title,
        runtime,
        status_code=exc.status_code,
        errors=[message.removeprefix("Validation failed: ")],
        **context,
    )
    page.headers.update(exc.headers)  # a 429's Retry-After
    return page
