"""Sign up, log in, log out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from roost.accounts.schemas import RegistrationForm
from roost.core.errors import RateLimited, RoostError
from roost.core.http import params
from roost.deps import PrimarySession, RuntimeDep, WriteSession, client_ip
from roost.web import service
from roost.web.forms import LoginForm, SignupForm
from roost.web.pages import WebRoute, redirect, render_page, safe_next
from roost.web.visitor import CheckedMember, CheckedVisitor, Member, VisitorDep, set_session_cookie

router = APIRouter(route_class=WebRoute)

FIELD_LABELS = {
    "username": "Username",
    "email": "Email",
    "password": "Password",
    "agreement": "The server rules",
}
SLOW_DOWN = "Too many attempts in a short time. Please wait a few minutes and try again."


def _user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


@router.get("/login")
async def login_page(request: Request, visitor: VisitorDep, runtime: RuntimeDep) -> Response:
    next_url = safe_next(request.query_params.get("next"), "/home")
    if isinstance(visitor, Member):
        return redirect(next_url)
    return await render_page(
        request,
        "login.html",
        title="Log in",
        next=next_url,
        login="",
        mail_enabled=runtime.settings.mail_enabled,
    )


@router.post("/login")
async def login(
    request: Request,
    _visitor: CheckedVisitor,
    form: Annotated[LoginForm, Depends(params(LoginForm))],
    read_session: PrimarySession,
    write_session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    next_url = safe_next(form.next, "/home")
    try:
        token = await service.sign_in(
            read_session=read_session,
            write_session=write_session,
            runtime=runtime,
            ip=client_ip(request),
            login=form.email,
            password=form.password,
            user_agent=_user_agent(request),
        )
    except RoostError as exc:
        page = await render_page(
            request,
            "login.html",
            status_code=exc.status_code,
            title="Log in",
            next=next_url,
            login=form.email,
            mail_enabled=runtime.settings.mail_enabled,
            errors=[SLOW_DOWN if isinstance(exc, RateLimited) else exc.message],
        )
        page.headers.update(exc.headers)  # a 429's Retry-After
        return page
    set_session_cookie(request, token)
    return redirect(next_url)


@router.get("/signup")
async def signup_page(request: Request, visitor: VisitorDep) -> Response:
    if isinstance(visitor, Member):
        return redirect("/home")
    return await render_page(request, "signup.html", title="Sign up", values={})


@router.post("/signup")
async def signup(
    request: Request,
    _visitor: CheckedVisitor,
    form: Annotated[SignupForm, Depends(params(SignupForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    try:
        signed_up = await service.sign_up(
            session=session,
            runtime=runtime,
            ip=client_ip(request),
            form=RegistrationForm(
                username=form.username,
                email=form.email,
                password=form.password,
                agreement=form.agreement,
            ),
            user_agent=_user_agent(request),
        )
    except RoostError as exc:
        page = await render_page(
            request,
            "signup.html",
            status_code=exc.status_code,
            title="Sign up",
            values={"username": form.username, "email": form.email},
            errors=signup_errors(exc),
        )
        page.headers.update(exc.headers)  # a 429's Retry-After
        return page
    if signed_up.cookie is None:
        return await render_page(
            request, "message.html", title="Almost there", message=_waiting(signed_up)
        )
    set_session_cookie(request, signed_up.cookie)
    return redirect("/home")


def _waiting(signed_up: service.SignedUp) -> str:
    """What a new account waits for before it can log in."""
    approval = "a moderator's approval"
    if signed_up.confirm_email:
        then = f", then for {approval}" if signed_up.approval else ""
        return (
            f"Your account was created. We sent a mail to {signed_up.email}: follow its link "
            f"to confirm your address{then}. You can log in once that is done."
        )
    return (
        f"Your account was created and is waiting for {approval}. "
        "You can log in once it is approved."
    )


def signup_errors(exc: RoostError) -> list[str]:
    """One sentence per mistake: "Username has already been taken"."""
    if isinstance(exc, RateLimited):
        return [SLOW_DOWN]
    messages = []
    for field, items in (exc.details or {}).items():
        if not isinstance(items, list):
            continue
        for item in items:
            if isinstance(item, dict) and "description" in item:
                label = FIELD_LABELS.get(field, field.capitalize())
                messages.append(f"{label} {item['description']}.")
    return messages or [exc.message]


@router.post("/logout")
async def logout(request: Request, member: CheckedMember, session: WriteSession) -> Response:
    await service.end_session(session=session, session_id=member.session.id)
    set_session_cookie(request, None)
    return redirect("/")
