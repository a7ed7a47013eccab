"""Rendering: the Jinja2 environment (autoescaped), page and fragment helpers,
relative times, and the route class that turns errors into pages."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from roost.accounts.models import Account
from roost.accounts.render import avatar_url, header_url
from roost.accounts.roles import role_of
from roost.core.db import as_utc, utcnow
from roost.core.errors import RateLimited, RoostError
from roost.core.http import JSON
from roost.markers.service import UNREAD_CAP, unread_notifications
from roost.web.media import ACCEPTED, MAX_IMAGES, blurhash_url
from roost.web.visitor import LoginRequired, Visitor, apply_cookies

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
STATIC = HERE / "static"
MAX_CHARACTERS = 500

# Scripts and styles come only from our own /static; nothing inline, nothing framed.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _parse_time(value: datetime | str) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return as_utc(value)


def relative_time(value: datetime | str, now: datetime | None = None) -> str:
    """ "now", "5m", "3h", "2d", then a date; the page's script keeps it fresh."""
    moment = _parse_time(value)
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 45:
        return "now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    month = _MONTHS[moment.month - 1]
    if moment.year == (now or utcnow()).year:
        return f"{month} {moment.day}"
    return f"{month} {moment.day}, {moment.year}"


def full_time(value: datetime | str) -> str:
    moment = _parse_time(value).astimezone(UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"


def month_year(value: datetime | str) -> str:
    """ "November 2026": when someone joined, without the minute they did."""
    moment = _parse_time(value).astimezone(UTC)
    return f"{_MONTH_NAMES[moment.month - 1]} {moment.year}"


def plural(count: int, one: str, many: str | None = None) -> str:
    """The noun for ``count``: "1 follower", "2 followers" (the number is not included)."""
    return one if count == 1 else (many or f"{one}s")


def iso_time(value: datetime | str) -> str:
    return _parse_time(value).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>``: safe to cache, refreshed on change."""
    digest = hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def display_name(account: Any) -> str:
    """An account (ORM row or rendered dict)'s name to show: display name, else username."""
    if isinstance(account, dict):
        return str(account.get("display_name") or account["username"])
    return str(account.display_name or account.username)


def avatar(account: Any) -> str:
    """An account's avatar address (ORM row: a path on this site; rendered dict: as the
    API gives it)."""
    if isinstance(account, dict):
        return str(account["avatar"])
    return avatar_url(account, "")


def header(account: Any) -> str:
    if isinstance(account, dict):
        return str(account["header"])
    return header_url(account, "")


env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["reltime"] = relative_time
env.filters["fulltime"] = full_time
env.filters["isotime"] = iso_time
env.filters["monthyear"] = month_year
env.filters["plural"] = plural
env.filters["name"] = display_name
env.filters["avatar"] = avatar
env.filters["header"] = header
env.filters["host"] = lambda url: urlsplit(str(url)).hostname or ""
env.filters["urlpart"] = lambda value: quote(str(value), safe="")
env.filters["blurhash_url"] = blurhash_url
env.globals["static"] = static_url
env.globals["new_key"] = lambda: secrets.token_urlsafe(16)
env.globals["MAX_CHARACTERS"] = MAX_CHARACTERS
env.globals["MAX_IMAGES"] = MAX_IMAGES
env.globals["ACCEPTED_IMAGES"] = ACCEPTED
env.globals["POLL_DURATIONS"] = [
    (300, "5 minutes"),
    (1800, "30 minutes"),
    (3600, "1 hour"),
    (21600, "6 hours"),
    (86400, "1 day"),
    (259200, "3 days"),
    (604800, "7 days"),
]


def visitor_of(request: Request) -> Visitor | None:
    visitor: Visitor | None = getattr(request.state, "visitor", None)
    return visitor


def nav_section(path: str, me: Account | None) -> str | None:
    """The navigation item a page belongs to (highlighted), or None: a post, even one's
    own, is no section of its own."""
    if me is not None:
        profile = f"/@{me.username}"
        if path in (profile, f"{profile}/followers", f"{profile}/following"):
            return "user"
    if path == "/":
        return "home" if me is not None else "explore"
    sections = {
        "/home": "home",
        "/explore": "explore",
        "/tags": "explore",
        "/notifications": "bell",
        "/conversations": "mail",
        "/bookmarks": "bookmark",
        "/search": "search",
        "/lists": "list",
        "/followed-tags": "list",
        "/settings": "settings",
        "/moderation": "shield",
        "/login": "login",
        "/signup": "signup",
    }
    for prefix, section in sections.items():
        if path == prefix or path.startswith(prefix + "/"):
            return section
    return None


def layout_context(request: Request, visitor: Visitor | None, *, unread: int = 0) -> dict[str, Any]:
    """What ``base.html`` needs around any page (also the OAuth authorize page)."""
    me = visitor.account if visitor else None
    return {
        "me": me,
        # Staff see the way to the moderation screens (web/routes/moderation.py).
        "staff": me is not None and role_of(me.role).is_staff,
        "csrf_token": visitor.csrf_token if visitor else "",
        "unread": unread,
        "unread_cap": UNREAD_CAP,
        "path": request.url.path,
        "here": _here(request),
        "section": nav_section(request.url.path, me),
        "poll_max_options": request.app.state.settings.poll_max_options,
    }


async def render_page(
    request: Request,
    template: str,
    *,
    session: AsyncSession | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A whole page: the layout with the navigation (and unread count) around it."""
    visitor = visitor_of(request)
    me = visitor.account if visitor else None
    unread = 0
    if me is not None and session is not None:
        unread = await unread_notifications(session=session, account_id=me.id)
    html = env.get_template(template).render(
        **layout_context(request, visitor, unread=unread), **context
    )
    return HTMLResponse(html, status_code=status_code)


def render_fragment(template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def safe_next(value: object, default: str) -> str:
    """A local path to go back to after a form; anything else (other sites) is ignored."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return default
    if value.startswith(("//", "/\\")) or any(c in value for c in "\r\n\t"):
        return default
    return value


class Download(Response):
    """A file the browser saves (an export), not a page: the accessibility audit of
    every screen leaves these out."""


def download(body: bytes | str, *, filename: str, media_type: str) -> Download:
    return Download(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_url(request: Request) -> str:
    target = _here(request) if request.method == "GET" else ""
    return "/login" + (f"?next={quote(target, safe='/')}" if target else "")


async def error_response(request: Request, exc: RoostError) -> Response:
    if wants_json(request):
        return JSON({"error": exc.message}, status_code=exc.status_code, headers=exc.headers)
    titles = {403: "Not allowed", 404: "Not found", 429: "Slow down"}
    message = exc.message
    if isinstance(exc, RateLimited):
        message = "Too many attempts in a short time. Please wait a few minutes and try again."
    if exc.status_code == 404:
        message = "This page does not exist, or it is not visible to you."
    response = await render_page(
        request,
        "error.html",
        status_code=exc.status_code,
        title=titles.get(exc.status_code, "Something is not right"),
        message=message,
    )
    response.headers.update(exc.headers)
    return response


class WebRoute(APIRoute):
    """Routes of the web page: errors become pages (or JSON for scripts), pending
    cookies are set, and every response carries the page security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def web_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except LoginRequired:
                if wants_json(request):
                    response = JSON({"error": "Please log in first."}, status_code=401)
                else:
                    response = redirect(login_url(request))
            except RoostError as exc:
                response = await error_response(request, exc)
            finally:
                await request.close()  # a form read by a dependency: its uploads' files
            apply_cookies(request, response)
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return web_handler
