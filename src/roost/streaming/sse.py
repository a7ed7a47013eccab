"""Server-sent events: one stream per HTTP response, as Mastodon's streaming server sends.

:)                       <- sent once subscribed, so the client knows it is live
event: update
data: {"id": "...", ...}

event: delete
data: 1234

:thump                   <- a heartbeat after every 15 s without an event
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable

from starlette.responses import StreamingResponse
from starlette.types import Message, Send

from roost.streaming.bus import Bus
from roost.streaming.render import StreamState

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0


class EventStreamResponse(StreamingResponse):
    """A streaming response whose headers leave with its first chunk.

    ``event_stream`` yields its first chunk once the bus has confirmed the
    subscription. Clients such as Mastodon.py treat the headers as "connected" and
    may post at once; sent earlier, the headers would let that post's event be
    published before the stream listens (with Redis, a round trip away).
    """

    async def stream_response(self, send: Send) -> None:
        start: Message | None = None

        async def send_start_with_first_chunk(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if start is not None:
                await send(start)
                start = None
            await send(message)

        await super().stream_response(send_start_with_first_chunk)


def frame(event: str, payload: str) -> str:
    return f"event: {event}\ndata: {payload}\n\n"


async def event_stream(
    bus: Bus,
    state: StreamState,
    *,
    ends_on: frozenset[str] = frozenset(),
    still_valid: Callable[[], Awaitable[bool]] | None = None,
    heartbeat: float = HEARTBEAT_SECONDS,
) -> AsyncGenerator[str, None]:
    """The stream's frames; it ends when a message arrives on one of ``ends_on`` (its
    token revoked, see ``ending.py``), or if ``still_valid`` says no once subscribed
    or at a heartbeat."""
    async with bus.subscribe(state.stream.channels | ends_on) as subscription:
        if still_valid is not None and not await still_valid():
            return
        yield ":)\n\n"
        while True:
            try:
                event = await subscription.get(wait=heartbeat)
            except StopAsyncIteration:  # cut off for falling behind: the client reconnects
                return
            if event is None:
                # A quiet stream looks at its access again: a change made where this
                # process's bus cannot hear it (``roost admin`` without Redis) still
                # ends it within a heartbeat.
                if still_valid is not None and not await still_valid():
                    return
                yield ":thump\n\n"
                continue
            if event[0] in ends_on:
                return
            try:
                rendered = await state.render(*event)
            except Exception:
                log.exception("rendering a stream event failed: %r", event)
                continue
            if rendered is not None:
                yield frame(*rendered)
