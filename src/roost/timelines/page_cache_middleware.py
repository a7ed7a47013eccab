"""Kept home pages answered before routing, as a caching proxy would (page_cache.py
keeps them), counting hits and misses: the kept-page hit ratio is
``hits / (hits + misses)``. A read that is never kept (paging back, a token in the
query) is neither."""

from __future__ import annotations

from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from roost.core.breaker import REDIS_FAILED
from roost.core.metrics import name_route
from roost.core.security import token_digest
from roost.timelines.page_cache import HOME_PATH, PageCache, keeps

KEPT_PAGE_HITS = Counter(
    "roost_kept_page_hits_total", "Home reads answered from a kept page, before routing"
)
KEPT_PAGE_MISSES = Counter(
    "roost_kept_page_misses_total",
    "Home reads that could have been kept and were rendered: no page kept, or something "
    "it shows changed (or Redis failed)",
)


class KeptPages:
    """Answers a home read from a kept page before the app routes it, as a caching
    proxy would; anything else, and every miss, goes on to the app (whose route
    renders the page and keeps it). A kept page needs nothing the app would compute:
    the token and query it was kept for, and its versions."""

    def __init__(self, app: ASGIApp, pages: PageCache) -> None:
        self.app = app
        self.pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == HOME_PATH and scope["method"] == "GET":
            query = scope["query_string"].decode("latin-1")
            token = _bearer(scope["headers"])
            if token is not None and keeps(query):
                try:
                    kept = await self.pages.cached(token_digest(token), query)
                except REDIS_FAILED:
                    kept = None  # the app answers, or reports the failure
                if kept is not None:
                    KEPT_PAGE_HITS.inc()
                    name_route(scope, HOME_PATH)
                    await _send_page(send, *kept)
                    return
                KEPT_PAGE_MISSES.inc()
        await self.app(scope, receive, send)


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The bearer token of the Authorization header, read as ``deps.bearer_token``."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer":
                return None
            return token.strip() or None
    return None


async def _send_page(send: Send, body: bytes, link: str | None) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if link:
        headers.append((b"link", link.encode("latin-1")))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
