"""The garbage collector of a long-running server process.

CPython's cycle collector stops the process while it walks every container object of
the generation it collects; a full (oldest-generation) collection walks them all. A
started Roost process holds a few hundred thousand such objects that never die: the
modules, the app, its routes and dependency graphs, SQLAlchemy's mappers. Walking them
stopped the event loop for tens of ms at a time, and with it every request of the
process: that was most of the home reads' p99 under load (docs/performance.md).

``freeze_startup_heap`` is called once a server process has started (``roost serve``'s
processes, ``roost worker``): it moves everything alive then into the permanent
generation, which no collection walks. What is made later (requests, caches) is
collected as before. Not called in tests, where many apps come and go in one process:
a frozen app would never be collected.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    gc.collect()  # the garbage of starting up is not kept forever
    gc.freeze()
