"""Ending open streams before the server stops, so that a restart is quick and clean.

On SIGTERM (or Ctrl+C) uvicorn stops accepting, then waits for every response to
finish, up to its graceful timeout, and then cuts what is left. Streams never finish
by themselves: they would hold a restart for the whole timeout and then be cut in the
middle of a message. So under uvicorn the signal first reaches ``drain`` (the app ends
its streams after the message each is sending: streaming/bus.py ``end_streams``) and
only then uvicorn, which finds nothing left to wait for. A second signal goes to
uvicorn at once.

It applies only where uvicorn's own handlers are installed (the serving process's
main thread, during its lifespan); elsewhere (tests, scripts) it does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import Any

import uvicorn

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)
DRAIN_SECONDS = 3.0

Drain = Callable[[], Awaitable[None]]


def drain_before_exit(drain: Drain) -> Callable[[], None]:
    """Run ``drain`` (at most ``DRAIN_SECONDS``) when uvicorn is told to stop, before
    it stops. Returns what puts uvicorn's handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {sig: signal.getsignal(sig) for sig in SIGNALS}
    if not all(_is_uvicorns(handler) for handler in previous.values()):
        return lambda: None
    loop = asyncio.get_running_loop()
    draining: set[asyncio.Task[None]] = set()  # held until done
    asked = False

    async def drain_then_stop(sig: int, frame: FrameType | None) -> None:
        try:
            async with asyncio.timeout(DRAIN_SECONDS):
                await drain()
        except Exception:
            log.exception("ending the open streams failed")
        finally:
            _call(previous[sig], sig, frame)

    def start(sig: int, frame: FrameType | None) -> None:
        task = loop.create_task(drain_then_stop(sig, frame))
        draining.add(task)
        task.add_done_callback(draining.discard)

    def handle(sig: int, frame: FrameType | None) -> None:
        nonlocal asked
        if asked:  # told twice: stop now
            _call(previous[sig], sig, frame)
            return
        asked = True
        # A signal handler may interrupt the loop anywhere: hand over as a thread would.
        loop.call_soon_threadsafe(start, sig, frame)

    for sig in SIGNALS:
        signal.signal(sig, handle)

    def undo() -> None:
        for sig, handler in previous.items():
            if signal.getsignal(sig) is handle:
                signal.signal(sig, handler)

    return undo


def _is_uvicorns(handler: Any) -> bool:
    return isinstance(getattr(handler, "__self__", None), uvicorn.Server)


def _call(handler: Any, sig: int, frame: FrameType | None) -> None:
    if callable(handler):
        handler(sig, frame)
