"""The HTML pages of the authorization flow, in the web page's layout and stylesheet
(``roost/web/templates/base.html``), rendered with the web page's autoescaped Jinja2
environment. The templates here are named ``oauth/<name>.html``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from starlette.requests import Request
from starlette.responses import HTMLResponse

from roost.web.pages import env as web_env
from roost.web.pages import layout_context
from roost.web.visitor import Visitor, apply_cookies

_env = web_env.overlay(
    loader=ChoiceLoader(
        [
            PrefixLoader({"oauth": FileSystemLoader(Path(__file__).parent / "templates")}),
            web_env.loader,  # type: ignore[list-item]
        ]
    )
)

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


def describe_scope(scope: str) -> str:
    if scope in _TOP_LEVEL:
        return _TOP_LEVEL[scope]
    verb, _, noun = scope.partition(":")
    action = "See" if verb == "read" else "Change"
    if verb == "write" and noun == "search":
        action = "Run"
    return f"{action} your {_NOUNS.get(noun, noun)}"


def render(
    request: Request, visitor: Visitor, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    html = _env.get_template(f"oauth/{template}").render(
        **layout_context(request, visitor), describe_scope=describe_scope, **context
    )
    response = HTMLResponse(html, status_code=status_code, headers=_HEADERS)
    apply_cookies(request, response)
    return response


def message(
    request: Request, visitor: Visitor, title: str, text: str, *, status_code: int
) -> HTMLResponse:
    return render(request, visitor, "message.html", status_code=status_code, title=title, text=text)
