"""Stream clients for tests: an SSE reader over a real socket, and a WebSocket one."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from websockets.asyncio.client import ClientConnection

WAIT = 10.0


class Signed(Protocol):
    @property
    def headers(self) -> dict[str, str]: ...


@dataclass
class SSEEvent:
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


class SSEStream:
    """Reads one SSE response; ``lines`` keeps every raw line as received."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines: list[str] = []
        self.events: asyncio.Queue[SSEEvent] = asyncio.Queue()
        self.comments: asyncio.Queue[str] = asyncio.Queue()

    async def read(self) -> None:
        event: dict[str, str] = {}
        async for line in self.response.aiter_lines():
            self.lines.append(line)
            if line.startswith(":"):
                await self.comments.put(line)
            elif line == "":
                if event:
                    await self.events.put(SSEEvent(event.get("event", ""), event.get("data", "")))
                event = {}
            else:
                key, _, value = line.partition(": ")
                event[key] = value

    async def next(self, wait: float = WAIT) -> SSEEvent:
        return await asyncio.wait_for(self.events.get(), wait)

    async def next_update(self, wait: float = WAIT) -> dict[str, Any]:
        event = await self.next(wait)
        assert event.event == "update", event
        status: dict[str, Any] = event.json()
        return status


@asynccontextmanager
async def open_sse(
    base: str, path: str, user: Signed | None = None, **params: str
) -> AsyncIterator[SSEStream]:
    """Open a stream and return once the server has subscribed it (its ``:)`` line)."""
    headers = user.headers if user is not None else {}
    async with (
        httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(WAIT, read=None)) as http,
        http.stream("GET", path, headers=headers, params=params) as response,
    ):
        assert response.status_code == 200, (await response.aread()).decode()
        stream = SSEStream(response)
        reader = asyncio.get_running_loop().create_task(stream.read())
        try:
            assert await asyncio.wait_for(stream.comments.get(), WAIT) == ":)"
            yield stream
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


async def ws_send(ws: ClientConnection, **message: Any) -> None:
    await ws.send(json.dumps(message))


async def ws_next(ws: ClientConnection, wait: float = WAIT) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), wait))
    return frame


async def ws_sync(ws: ClientConnection) -> None:
    """Wait until the server has handled every message sent before this one.

    Messages are handled in order, and an unknown stream is answered with an
    error frame, so that answer means the subscriptions before it are in place.
    """
    await ws_send(ws, type="subscribe", stream="sync-marker")
    assert await ws_next(ws) == {"error": "Unknown stream type", "status": 400}
