"""The WebSocket transport: one connection carries any number of streams.

Client messages (as Mastodon's):
    {"type": "subscribe", "stream": "user"}
    {"type": "subscribe", "stream": "hashtag", "tag": "cats"}
    {"type": "unsubscribe", "stream": "public:local"}
Server frames:
    {"stream": ["user"], "event": "update", "payload": "<the Status as a JSON string>"}
    {"stream": ["user"], "event": "delete", "payload": "<status id>"}
    {"error": "Unknown stream type", "status": 400}

The connection closes (code 1000) when its token is revoked, its password changed
or its account suspended (``ending.py``); with 1001 when the server shuts down
(``Bus.end_streams``), and 1013 when it fell too far behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import TYPE_CHECKING, Any

import anyio
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from roost.core.errors import RoostError
from roost.deps import Viewer
from roost.streaming.bus import Subscription
from roost.streaming.ending import ending_channels, still_valid
from roost.streaming.render import StreamState
from roost.streaming.service import start_stream
from roost.streaming.streams import Stream, open_stream

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

# Close code when a connection fell too far behind: "try again later".
TRY_AGAIN_LATER = 1013
# Close code when the server shuts down: "going away" (the client reconnects elsewhere).
GOING_AWAY = 1001
# Close code when its access was taken away (a revoked token): a plain close.
ENDED = 1000
# How often a connection looks at its token and account again, besides the bus.
RECHECK_SECONDS = 15.0


class Connection:
    def __init__(self, websocket: WebSocket, runtime: Runtime, viewer: Viewer) -> None:
        self.websocket = websocket
        self.runtime = runtime
        self.viewer = viewer
        self.streams: dict[tuple[str, ...], StreamState] = {}
        self.ends_on = ending_channels(viewer)
        self._send_lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_text(json.dumps(frame, separators=(",", ":")))

    async def close(self, code: int) -> None:
        async with self._send_lock:  # not in the middle of a frame
            await self.websocket.close(code=code)

    async def subscribe(self, subscription: Subscription, state: StreamState) -> None:
        stream = state.stream
        if stream.key in self.streams:
            return
        self.streams[stream.key] = state
        await subscription.add(*stream.channels)

    def unsubscribe(self, subscription: Subscription, stream: Stream) -> None:
        if self.streams.pop(stream.key, None) is None:
            return
        still_wanted = {c for state in self.streams.values() for c in state.stream.channels}
        subscription.remove(*(stream.channels - still_wanted))

    async def handle(self, subscription: Subscription, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            await self.send({"error": "Error parsing JSON", "status": 400})
            return
        if not isinstance(message, dict) or message.get("type") not in {
            "subscribe",
            "unsubscribe",
        }:
            await self.send({"error": "Unknown message type", "status": 400})
            return
        name = message.get("stream")
        name = name if isinstance(name, str) else None
        tag = str(message["tag"]) if message.get("tag") is not None else None
        list_id = str(message["list"]) if message.get("list") is not None else None
        try:
            if message["type"] == "subscribe":
                state = await start_stream(
                    runtime=self.runtime, viewer=self.viewer, name=name, tag=tag, list_id=list_id
                )
                await self.subscribe(subscription, state)
            else:
                stream = open_stream(name, viewer=self.viewer, tag=tag, list_id=list_id)
                self.unsubscribe(subscription, stream)
        except RoostError as error:
            await self.send({"error": error.message, "status": error.status_code})

    async def listen(self, subscription: Subscription) -> None:
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None and message.get("bytes") is not None:
                text = message["bytes"].decode(errors="replace")
            if text is not None:
                await self.handle(subscription, text)

    async def pump(self, subscription: Subscription) -> None:
        """Pass bus events on, each rendered for every stream it belongs to."""
        async for channel, message in subscription:
            if channel in self.ends_on:
                await self.close(ENDED)
                return
            for state in list(self.streams.values()):
                try:
                    rendered = await state.render(channel, message)
                except Exception:
                    log.exception("rendering a stream event failed: %r", message)
                    continue
                if rendered is not None:
                    event, payload = rendered
                    await self.send(
                        {"stream": state.stream.label, "event": event, "payload": payload}
                    )
        # The subscription was cut off for falling behind, or the server shuts down
        # (after the frame it was sending): let the client reconnect.
        await self.close(GOING_AWAY if self.runtime.bus.ending else TRY_AGAIN_LATER)


async def serve_websocket(
    websocket: WebSocket,
    *,
    runtime: Runtime,
    viewer: Viewer,
    first: StreamState | None,
    subprotocol: str | None,
) -> None:
    """Accept, then carry streams until the client leaves."""
    await websocket.accept(subprotocol=subprotocol)
    connection = Connection(websocket, runtime, viewer)
    async with runtime.bus.subscribe(connection.ends_on) as subscription:
        if not await still_valid(runtime.db, viewer):
            await websocket.close(code=ENDED)
            return
        if first is not None:
            await connection.subscribe(subscription, first)
        try:
            async with anyio.create_task_group() as tasks:

                async def pump() -> None:
                    await connection.pump(subscription)
                    tasks.cancel_scope.cancel()

                async def watch() -> None:
                    # As an SSE stream at its heartbeat: a change this process's bus
                    # cannot hear of (``roost admin`` without Redis) still ends it.
                    while True:
                        await asyncio.sleep(RECHECK_SECONDS)
                        if not await still_valid(runtime.db, viewer):
                            break
                    await connection.close(ENDED)
                    tasks.cancel_scope.cancel()

                tasks.start_soon(pump)
                if viewer.token is not None:
                    tasks.start_soon(watch)
                await connection.listen(subscription)
                tasks.cancel_scope.cancel()
        except* (WebSocketDisconnect, OSError, RuntimeError):
            pass  # the client went away mid-send
    if websocket.application_state != WebSocketState.DISCONNECTED:
        with contextlib.suppress(Exception):
            await websocket.close()
