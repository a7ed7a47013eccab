"""What a request may carry before any route sees it: a body of bounded size, and
a path, query string and headers free of characters PostgreSQL text cannot store.

``RequestLimits`` refuses a body whose ``Content-Length`` is over the limit before
reading a byte of it (413), and counts the bytes of a body sent without one (chunked),
raising ``PayloadTooLarge`` from ``receive`` as soon as the count passes the limit; the
route reading it then answers 413 through the one error mapping. A path prefix may have
a limit of its own (``by_prefix``, the longest prefix wins): media uploads would get
``{"/api/v2/media": 16 << 20}``.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roost.core.errors import BadRequest, PayloadTooLarge, RoostError, Unprocessable
from roost.core.http import JSON


class RequestLimits:
    def __init__(
        self, app: ASGIApp, *, max_body: int, by_prefix: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        # Longest prefix first, so the most specific one is found first.
        self.by_prefix = sorted((by_prefix or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.by_prefix:
            if path.startswith(prefix):
                return limit
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        try:
            length = _checked(scope)
            if length is not None and length > limit:
                raise _too_large(limit)
        except RoostError as exc:
            await JSON({"error": exc.message}, status_code=exc.status_code)(scope, receive, send)
            return
        if length == 0:  # no body (or an empty one): nothing to count
            await self.app(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than {limit} bytes")


def _checked(scope: Scope) -> int | None:
    """The declared body length (0 for no body, None for unknown: chunked); refuses a
    path, query string or header holding NUL (PostgreSQL text cannot store it)."""
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    if "\x00" in path or b"%00" in query or b"\x00" in query:
        raise Unprocessable("Validation failed: request: invalid character")
    length: int | None = 0
    for name, value in scope["headers"]:
        if b"\x00" in value:
            raise Unprocessable("Validation failed: headers: invalid character")
        if name == b"content-length":
            if not (value.isdigit() and len(value) <= 18):
                raise BadRequest("Content-Length is not a number")
            length = int(value) if length is not None else None
        elif name == b"transfer-encoding":
            length = None
    return length
