"""The OAuth authorize page (GET and POST /oauth/authorize): a screen of the web page,
in its layout, cookies and autoescaped templates (``templates/oauth/``). What an
answer on it comes to is ``oauth.authorize.decide``."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from roost.accounts.models import Account
from roost.core.errors import Forbidden, RoostError
from roost.core.http import raw_params
from roost.deps import PrimarySession, RuntimeDep, WriteSession, client_ip
from roost.oauth import authorize, csrf
from roost.oauth.schemas import AuthorizeForm, AuthorizeParams
from roost.oauth.service import OAuthError, read_form
from roost.web import csrf as web_csrf
from roost.web.pages import env, layout_context
from roost.web.visitor import Member, Visitor, apply_cookies, get_visitor

router = APIRouter(tags=["oauth"])
Raw = dict[str, Any]

# A page that grants access must not be framed (clickjacking), cached, or leak its URL
# (it carries the app's state). It runs no script. There is no form-action: approving
# redirects to the app's own redirect URI, which may be any origin or a custom scheme.
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_TOP_LEVEL = {
    "read": "Read all your account's data",
    "write": "Change all your account's data",
    "follow": "Follow and unfollow people, block and mute",
    "push": "Receive your push notifications",
    "profile": "See your basic profile information only",
}
_NOUNS = {
    "accounts": "account information",
    "statuses": "posts",
    "follows": "follows",
    "blocks": "blocks",
    "mutes": "mutes",
    "notifications": "notifications",
    "favourites": "favourites",
    "bookmarks": "bookmarks",
    "lists": "lists",
    "filters": "filters",
    "search": "searches",
    "media": "media uploads",
    "reports": "reports",
    "conversations": "conversations",
}


# Moderation powers (``admin:*``): what the app could see or do with the role the
# person has; a person without a staff role grants nothing by approving them.
_ADMIN_SUBJECTS = {
    "accounts": "all accounts (their email and sign-up addresses)",
    "reports": "all reports and the reported accounts",
    "domain_allows": "the allowed domains",
    "domain_blocks": "the blocked domains",
    "ip_blocks": "the IP blocks on sign-ups",
    "email_domain_blocks": "the blocked email domains",
    "canonical_email_blocks": "the blocked email addresses",
}
_ADMIN_ACTS = {
    "accounts": "approve, reject, suspend, silence or disable accounts",
    "reports": "assign, resolve and reopen reports",
    "domain_allows": "change the allowed domains",
    "domain_blocks": "change the blocked domains",
    "ip_blocks": "block IP ranges from signing up, or lift the blocks",
    "email_domain_blocks": "block email domains from signing up, or lift the blocks",
    "canonical_email_blocks": "block email addresses from signing up, or lift the blocks",
}


def _describe_admin(scope: str) -> str:
    _, verb, subject = (scope.split(":") + [""])[:3]
    if not subject:
        if verb == "read":
            return "Moderation: see everything your role may see on this server"
        return "Moderation: take every action your role allows on this server"
    if verb == "read":
        return f"Moderation: see the private details of {_ADMIN_SUBJECTS.get(subject, subject)}"
    return f"Moderation: {_ADMIN_ACTS.get(subject, 'act on ' + subject)}"


def describe_scope(scope: str) -> str:
    if scope in _TOP_LEVEL:
        return _TOP_LEVEL[scope]
    if scope.startswith("admin:"):
        return _describe_admin(scope)
    verb, _, noun = scope.partition(":")
    action = "See" if verb == "read" else "Change"
    if verb == "write" and noun == "search":
        action = "Run"
    return f"{action} your {_NOUNS.get(noun, noun)}"


def _render(
    request: Request, visitor: Visitor, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = env.get_template(f"oauth/{template}").render(
        **layout_context(request, visitor), describe_scope=describe_scope, **context
    )
    response = HTMLResponse(html, status_code=status_code, headers=_HEADERS)
    apply_cookies(request, response)
    return response


def _message(
    request: Request, visitor: Visitor, title: str, text: str, *, status_code: int
) -> HTMLResponse:
    return _render(
        request, visitor, "message.html", status_code=status_code, title=title, text=text
    )


def _wants_login_form(raw: Raw) -> bool:
    """Mastodon's ``force_login``: ask for a password even with a signed-in browser."""
    return str(raw.get("force_login", "")).strip().lower() in {"1", "true", "on", "yes"}


@router.get("/oauth/authorize", response_class=HTMLResponse)
async def authorize_page(
    request: Request,
    raw: Annotated[Raw, Depends(raw_params(AuthorizeParams))],
    session: PrimarySession,
    runtime: RuntimeDep,
) -> Response:
    visitor = await get_visitor(request)
    try:
        checked = await authorize.check_request(
            session=session, params=read_form(AuthorizeParams, raw)
        )
    except RoostError as exc:
        return _refused(request, visitor, exc)
    secret = runtime.settings.resolved_secret_key()
    return _form(request, visitor, checked, secret=secret, force_login=_wants_login_form(raw))


@router.post("/oauth/authorize", response_class=HTMLResponse)
async def authorize_decision(
    request: Request,
    raw: Annotated[Raw, Depends(raw_params(AuthorizeForm))],
    read_session: PrimarySession,
    write_session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    secret = runtime.settings.resolved_secret_key()
    visitor = await get_visitor(request)
    try:
        form = read_form(AuthorizeForm, raw)
        if not csrf.valid(secret, form.client_id or "", form.csrf_token):
            raise Forbidden(
                "This form expired or did not come from this server. Go back and try again."
            )
        checked = await authorize.check_request(session=read_session, params=form)
    except RoostError as exc:
        return _refused(request, visitor, exc)
    if form.decision not in ("approve", "deny"):
        return _message(
            request, visitor, "Something went wrong", "Choose Approve or Deny.", status_code=400
        )
    try:
        member = _vouched_member(visitor, raw) if form.decision == "approve" else None
    except Forbidden as exc:  # ask for the password instead
        return _form(
            request,
            visitor,
            checked,
            secret=secret,
            error=exc.message,
            status=403,
            force_login=True,
        )
    decision = await authorize.decide(
        read_session=read_session,
        write_session=write_session,
        runtime=runtime,
        ip=client_ip(request),
        request=checked,
        form=form,
        member=member,
    )
    if decision.error is not None:
        page = _form(
            request,
            visitor,
            checked,
            secret=secret,
            error=decision.error.message,
            email=form.email,
            status=decision.error.status_code,
            force_login=member is None,
        )
        page.headers.update(decision.error.headers)  # a 429's Retry-After
        return page
    if decision.redirect is not None:
        return RedirectResponse(
            decision.redirect, status_code=302, headers={"Cache-Control": "no-store"}
        )
    if decision.denied:
        text = f"You denied {checked.app.name} access to your account. You can close this page."
        return _message(request, visitor, "Access denied", text, status_code=200)
    return _render(
        request,
        visitor,
        "code.html",
        title="Authorization code",
        app_name=checked.app.name,
        code=decision.code,
    )


def _vouched_member(visitor: Visitor, raw: Raw) -> Account | None:
    """The signed-in account the form was sent for, if it carries its session's token
    instead of a password (None: approve with the form's password)."""
    if "session_token" not in raw:
        return None
    token = raw.get("session_token")
    if not isinstance(visitor, Member) or not web_csrf.matches(
        visitor.csrf_token, token if isinstance(token, str) else None
    ):
        raise Forbidden(
            "You were signed out, or this form came from another browser. Sign in and try again."
        )
    return visitor.account


def _form(
    request: Request,
    visitor: Visitor,
    checked: authorize.AuthorizationRequest,
    *,
    secret: str,
    error: str | None = None,
    email: str | None = None,
    status: int = 200,
    force_login: bool = False,
) -> Response:
    return _render(
        request,
        visitor,
        "authorize.html",
        status_code=status,
        title=f"Authorize {checked.app.name}",
        app_name=checked.app.name,
        website=checked.app.website,
        scopes=checked.scopes,
        hidden=checked.hidden_fields(),
        oauth_csrf_token=csrf.issue(secret, checked.app.client_id),
        email=email or "",
        error=error,
        force_login=force_login,
        # This page again (GET), for "log in first" and "use another account".
        return_to="/oauth/authorize?" + urlencode(checked.hidden_fields()),
    )


def _refused(request: Request, visitor: Visitor, exc: RoostError) -> Response:
    """Our own error page: a bad request is never sent back to the app's redirect URI."""
    message = exc.description if isinstance(exc, OAuthError) else exc.message
    status = exc.status_code if 400 <= exc.status_code < 500 else 400
    return _message(
        request, visitor, "This authorization request is invalid", message, status_code=status
    )
