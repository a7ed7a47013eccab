"""What a request that failed answers: never a dropped connection.

Domain errors (``RoostError``) and bad input have their own handlers (app.py). Anything
else a request raises is answered here, as JSON ``{"error": ...}``:

- 503 with ``Retry-After`` when what Roost depends on cannot be reached: the database
  (refused or lost connections, a server shutting down or refusing connections, a
  pool that gave no connection in time) or Redis on a path that needs it
  (core/breaker.py). The client may simply try again;
- 500 otherwise, logged with its traceback and the request's id.

uvicorn closes a client's connection when the app raises after its answer began, and
Starlette's last-resort handler answers and then raises again. ``AnswerFailures``
catches the exception itself, so the connection stays open for the client's next
request. Only an answer already cut in the middle (a stream that failed mid-body)
still raises: the connection must close for the client to see it was cut.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from roost.core.breaker import REDIS_DOWN
from roost.core.db_outages import database_down
from roost.core.http import JSON

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def failure_answer(error: Exception) -> JSON:
    """The answer to a request that raised ``error`` (logged here)."""
    if isinstance(error, REDIS_DOWN):
        log.warning("answered 503: Redis unreachable: %s", error)
        return _unavailable("Redis")
    if database_down(error):
        log.warning("answered 503: database unreachable: %r", error)
        return _unavailable("the database")
    log.exception("unhandled error", exc_info=error)
    return JSON({"error": "Internal server error"}, status_code=500)


def _unavailable(what: str) -> JSON:
    return JSON(
        {"error": f"Service unavailable: {what} cannot be reached; try again shortly"},
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class AnswerFailures:
    """Answers every exception from the app below it (``failure_answer``) instead of
    letting it reach the server, which would close the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = finished = False

        async def watched(message: Message) -> None:
            nonlocal started, finished
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as error:
            if finished:  # the answer went out whole (a failure while cleaning up)
                log.exception("failed after answering", exc_info=error)
                return
            if started:  # cut mid-answer: only a closed connection tells the client
                raise
            await failure_answer(error)(scope, receive, send)
