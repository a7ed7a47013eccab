"""Where picture processing leaves the event loop: the one call every path makes.

Avatars and headers (accounts/pictures.py) and link-card images (cards/service.py)
run the pure functions of ``processing.py`` through ``process_off_loop``. Today that is
a thread (``asyncio.to_thread``): Pillow releases the GIL while it decodes and resizes,
so the event loop keeps serving. The process pool with time and memory limits (the
media upload work) takes its place here, in this one function, with no change to the
callers: they already hand over the runtime that will own it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from roost.runtime import Runtime

T = TypeVar("T")


async def process_off_loop(runtime: Runtime, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` (a pure function of ``processing.py``), off the event loop."""
    del runtime  # the process pool it will own goes here
    return await asyncio.to_thread(function, *args)
