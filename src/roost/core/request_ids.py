"""A request id for every request, carried into the log lines and jobs it causes.

``RequestIds`` takes the client's (or the proxy's) ``X-Request-Id`` when it is sane
(1 to 128 of ``A-Z a-z 0-9 . _ : - + = / @``, starting with a letter or digit: a UUID,
a hex digest, nginx's ``$request_id``), else makes one (32 hex digits), and echoes it
in the response's ``X-Request-Id``, as Mastodon and Rails do. While the request runs
the id is ``current_request_id()``: every log line written then carries it (core/logs.py)
and every job queued then stores it in its payload (jobs/outbox.py), so the worker
that runs the job logs with the same id.

An id someone else chose goes only into log fields and a header, never into a file
name, a key or a query: the pattern is there so that a log line stays one line.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
# The scope key the id is kept under too, for code that has the scope and not the
# context (the error handler that runs outside this middleware).
SCOPE_KEY = "roost.request_id"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/@-]{0,127}")

_current: ContextVar[str | None] = ContextVar("roost_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request (or job) this code runs for, if any."""
    return _current.get()


def acceptable(value: str) -> bool:
    """Whether an id a client sent may be used as it is."""
    return _SANE.fullmatch(value) is not None


def new_request_id() -> str:
    return secrets.token_hex(16)  # as random as a UUID4, without building one


@contextmanager
def running_for(request_id: str | None) -> Iterator[None]:
    """Run the block as part of ``request_id`` (a job run for the request that queued it)."""
    token = _current.set(request_id)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIds:
    """Gives each HTTP request and WebSocket its id and echoes it in the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        request_id = _sent(scope["headers"]) or new_request_id()
        scope[SCOPE_KEY] = request_id
        header = (HEADER, request_id.encode("ascii"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = _current.set(request_id)  # running_for, without a generator per request
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _current.reset(token)


def _sent(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == HEADER:
            text = value.decode("latin-1").strip()
            return text if acceptable(text) else None
    return None
