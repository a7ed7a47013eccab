"""The HTML pages of the authorization flow, rendered with autoescaped Jinja2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

# A page that grants access must not be framed (clickjacking), cached, or leak its URL.
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
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


def render(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(describe_scope=describe_scope, **context)
    return HTMLResponse(html, status_code=status_code, headers=_HEADERS)


def message(title: str, text: str, *, status_code: int) -> HTMLResponse:
    return render("message.html", status_code=status_code, title=title, text=text)
