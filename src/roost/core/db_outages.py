"""What says the database cannot be reached, as opposed to a statement that failed.

``database_down`` decides the 503 of a request (core/failures.py);
``drop_broken_connections`` keeps a pool from handing out connections a lost server
left broken (core/db.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from asyncpg.exceptions import InterfaceError as AsyncpgInterfaceError
from asyncpg.exceptions import InternalClientError
from sqlalchemy import event
from sqlalchemy import exc as sa
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

# SQLSTATEs of a server that cannot take the statement now: connection exceptions (08),
# shutting down (57P01, 57P02), starting up (57P03), too many connections (53300).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
_DATABASE_DOWN = (
    sa.TimeoutError,  # the pool gave no connection in time
    sa.OperationalError,
    sa.InterfaceError,
    AsyncpgInterfaceError,
    InternalClientError,  # a connection left mid-operation by a lost server
    ConnectionError,  # refused, reset: the driver's own, not wrapped
    TimeoutError,  # connecting took too long
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapped driver error
        current = orig if isinstance(orig, BaseException) else current.__cause__


def database_down(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached (not that a statement was
    wrong): the request may succeed if tried again."""
    for cause in _chain(error):
        if isinstance(cause, _DATABASE_DOWN):
            return True
        if isinstance(cause, sa.DBAPIError) and cause.connection_invalidated:
            return True
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_UNREACHABLE_STATES):
            return True
    return False


def _connection_broken(error: BaseException) -> bool:
    """Whether ``error`` leaves its connection unusable: the server went away, or left
    it mid-operation (asyncpg's "cannot switch to state ...; another operation is in
    progress" after a restart), which the driver does not count as a disconnect."""
    for cause in _chain(error):
        if isinstance(cause, (AsyncpgInterfaceError, InternalClientError, ConnectionError)):
            return True
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state.startswith(("08", "57P01", "57P02")):
            return True
    return False


def drop_broken_connections(engine: AsyncEngine) -> None:
    """A PostgreSQL connection that failed as ``_connection_broken`` says is closed, not
    pooled again, and the pool replaces its older connections as they are checked out:
    after a database restart one request fails (503), not each pooled connection in
    turn, and no connection is reused mid-operation."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _is_disconnect(context: ExceptionContext) -> None:
        if not context.is_disconnect and _connection_broken(context.original_exception):
            context.is_disconnect = True
