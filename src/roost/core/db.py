"""Database engines, sessions, and side effects that run only after commit.

Two engines: ``write`` for transactions that change data and ``read`` for those
that do not. On SQLite every write transaction starts with BEGIN IMMEDIATE on a
single pooled connection, so writers queue in Python instead of failing with
"database is locked", and commit order equals the order writers took the lock.
On PostgreSQL both engines point at the primary (a read replica can be given
to ``read`` later).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction
from sqlalchemy.pool import Pool

from roost.core.breaker import REDIS_DOWN
from roost.core.db_outages import drop_broken_connections

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None]]

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {int: BigInteger, datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything Roost stores is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, immediate=True, pool_size=1)
            self.read_engine = _sqlite_engine(url, immediate=False, pool_size=8)
            # Each pool by name, with how many connections it may open (for metrics).
            self.pools: dict[str, tuple[Pool, int]] = {
                "write": (self.write_engine.sync_engine.pool, 1),
                "read": (self.read_engine.sync_engine.pool, 8),
            }
        else:
            # hide_parameters: an error logged with its statement shows no values (password
            # hashes, token digests, people's text).
            # jit off: the timeline rule's statements are short index walks that the
            # planner prices high enough to JIT-compile, which took ~600 ms per rebuild
            # of a home timeline (bench: first reads 79/s fell to 11/s) for a ~5 ms query.
            self.write_engine = create_async_engine(
                url,
                pool_size=10,
                max_overflow=10,
                hide_parameters=True,
                connect_args={"server_settings": {"jit": "off"}},
            )
            drop_broken_connections(self.write_engine)  # core/db_outages.py
            # Reads run without BEGIN/ROLLBACK (a round trip each): under READ COMMITTED
            # every statement takes its own snapshot anyway, inside a transaction or not.
            self.read_engine = self.write_engine.execution_options(isolation_level="AUTOCOMMIT")
            self.pools = {"primary": (self.write_engine.sync_engine.pool, 20)}
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session for a transaction that changes data; commit with ``commit()``."""
        async with self._write() as session:
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read() as session:
            yield session

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=60,
        connect_args={"timeout": 30},
        hide_parameters=True,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves instead of the driver's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def pending(session: AsyncSession) -> dict[str, Any]:
    """What the session's current transaction will do once it commits (the side effects
    of ``after_commit``, the versions to forget): dropped when it rolls back."""
    state: dict[str, Any] = session.info.setdefault("pending", {})
    return state


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop("pending", None)


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run ``callback`` once this session's transaction has committed."""
    pending(session).setdefault("after_commit", []).append(callback)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the side effects queued with ``after_commit``, in order.

    The change is committed whatever its side effects do: one that fails (Redis
    unreachable for a delivery, a publish, a cache deletion) is logged and the others
    still run, and the caller answers success. What a side effect does is done again
    from SQL: a job's outbox row by the sweep, a timeline by its fan-out job or rebuild,
    a version by ``Versions.lost`` (docs/technical-spec.md, "Failure modes")."""
    callbacks: list[AfterCommit] = session.info.pop("pending", {}).get("after_commit", [])
    await session.commit()
    for callback in callbacks:
        try:
            await callback()
        except REDIS_DOWN as error:
            log.warning(
                "a side effect after commit could not reach Redis (%s): %s", _name(callback), error
            )
        except Exception:
            log.exception("a side effect after commit failed (%s)", _name(callback))


def _name(callback: AfterCommit) -> str:
    return getattr(callback, "__qualname__", repr(callback))
