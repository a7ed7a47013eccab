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
from collections.abc import AsyncGenerator

from roost.streaming.bus import Bus
from roost.streaming.render import StreamState

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0


def frame(event: str, payload: str) -> str:
    return f"event: {event}\ndata: {payload}\n\n"


async def event_stream(
    bus: Bus, state: StreamState, *, heartbeat: float = HEARTBEAT_SECONDS
) -> AsyncGenerator[str, None]:
    async with bus.subscribe(state.stream.channels) as subscription:
        yield ":)\n\n"
        while True:
            try:
                event = await subscription.get(wait=heartbeat)
            except StopAsyncIteration:  # cut off for falling behind: the client reconnects
                return
            if event is None:
                yield ":thump\n\n"
                continue
            try:
                rendered = await state.render(*event)
            except Exception:
                log.exception("rendering a stream event failed: %r", event)
                continue
            if rendered is not None:
                yield frame(*rendered)
