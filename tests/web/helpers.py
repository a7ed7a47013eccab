"""Drive the web page as a browser would, without one: cookies, CSRF tokens, forms."""

from __future__ import annotations

import re

import httpx

from tests.factories import PASSWORD

_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
JSON_ACCEPT = {"Accept": "application/json"}


def csrf_of(html: str) -> str:
    found = _META.search(html)
    assert found, "page has no csrf-token meta"
    return found.group(1)


async def token_for(client: httpx.AsyncClient, path: str = "/login") -> str:
    response = await client.get(path)
    return csrf_of(response.text)


async def login(client: httpx.AsyncClient, login: str, password: str = PASSWORD) -> httpx.Response:
    token = await token_for(client, "/login")
    return await client.post(
        "/login", data={"email": login, "password": password, "csrf_token": token}
    )


async def signed_in(client: httpx.AsyncClient, username: str) -> str:
    """Log ``username`` (made by the factory) in; returns the session's CSRF token."""
    response = await login(client, f"{username}@example.com")
    assert response.status_code == 303, response.text
    return await token_for(client, "/home")


def fetch_headers(token: str) -> dict[str, str]:
    """What the page's scripts send with fetch()."""
    return {"X-CSRF-Token": token, **JSON_ACCEPT}


_ARTICLE = re.compile(r'<article class="post[^"]*" data-status-id="(\d+)"')
_TIMELINE = re.compile(r'<section id="timeline"[^>]*>', re.S)


def post_ids(html: str) -> list[str]:
    """The status ids of the posts in a page or fragment, top to bottom."""
    return _ARTICLE.findall(html)


def timeline_cursors(html: str) -> tuple[str, str]:
    """``data-newest`` and ``data-oldest`` of the page's #timeline."""
    found = _TIMELINE.search(html)
    assert found, "page has no #timeline"
    tag = found.group(0)
    newest = re.search(r'data-newest="([^"]*)"', tag)
    oldest = re.search(r'data-oldest="([^"]*)"', tag)
    assert newest and oldest
    return newest.group(1), oldest.group(1)
