"""Count the SQL statements a block of code sends, to pin the cost of hot paths.

    with statements(runtime) as seen:
        await client.get("/api/v1/timelines/public")
    assert len(seen) == 3, seen  # the token, the page, the authors

Counted on every engine of the runtime, so a statement is seen whichever session
(read or write, a dependency's or a service's own) sends it. Transaction openers are
not counted: SQLite's engines send BEGIN (BEGIN IMMEDIATE for writes) as a statement
of their own, PostgreSQL's driver opens transactions without one, and a count should
say the same thing on both backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from roost.runtime import Runtime


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements the runtime's engines run inside the block, in order."""
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    read, write = runtime.db.read_engine.sync_engine, runtime.db.write_engine.sync_engine
    # On PostgreSQL the read engine is the write engine with other options: it shares
    # its pool and its listeners, and listening twice would count every statement twice.
    engines = [write] if read.pool is write.pool else [read, write]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
