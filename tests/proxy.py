"""A TCP proxy a test controls: how a test makes Redis or PostgreSQL unreachable and
reachable again, without touching the server everyone else uses (its data stays).

- ``refuse()``: every connection through it is closed and new ones are refused, as
  when the server is down or its port closed;
- ``silence()``: connections stay open and new ones are accepted, but nothing gets
  through either way, as when the server is paused (SIGSTOP) or its host is gone;
- ``restore()``: forward again.

It runs on the event loop that starts it; ``ThreadedProxy`` runs one on a loop of its
own, for a server in another process.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class Proxy:
    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.silent = False
        self.received = 0  # bytes clients sent, forwarded or not
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            up_reader, upstream = await asyncio.open_connection(*self.target)
            self._writers.add(upstream)
            await asyncio.gather(self._pipe(reader, upstream), self._pipe(up_reader, writer))
        except OSError:
            pass
        finally:
            for end in (writer, upstream):
                if end is not None:
                    self._writers.discard(end)
                    end.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while data := await reader.read(65536):
                self.received += len(data)
                if self.silent:
                    continue
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()

    async def refuse(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._close_all()

    def silence(self) -> None:
        self.silent = True

    async def restore(self) -> None:
        self.silent = False
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _close_all(self) -> None:
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let the closes reach the peers

    async def stop(self) -> None:
        await self.refuse()


class ThreadedProxy:
    """A ``Proxy`` on an event loop of its own thread, driven from synchronous code."""

    def __init__(self, host: str, port: int) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.proxy = Proxy(host, port)
        self._run(self.proxy.start())

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    @property
    def port(self) -> int:
        return self.proxy.port

    def refuse(self) -> None:
        self._run(self.proxy.refuse())

    def restore(self) -> None:
        self._run(self.proxy.restore())

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._run(self.proxy.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
