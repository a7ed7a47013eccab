"""Database engines, sessions, and side effects that run only after commit.

Two engines: ``write`` for transactions that change data and ``read`` for those
that do not. On SQLite every write transaction starts with BEGIN IMMEDIATE on a
single pooled connection, so writers queue in Python instead of failing with
"database is locked", and commit order equals the order writers took the lock.
On PostgreSQL both engines point at the primary.

Read replicas (core/replicas.py). A read session goes to the primary unless it is
asked for with ``read(may_lag=True)`` (the routes' ``ReadSession``): then, with
replicas, inside a request whose reader is declared, its statements go to a replica
that has replayed the reader's last write, else to the primary. So what must not lag
reads the primary by default: token and OAuth client lookups, jobs and workers,
streams, timeline rebuilds. Within a lagging read, ``fresh`` gives what fills a cache
or mixes SQL with what Redis was told after a commit (home and list timelines) a
session on the primary; once a request has committed a write, the rest of it (the
render of what it wrote) reads the primary.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Engine, MetaData, event
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
from roost.core.redis import Client
from roost.core.replicas import (
    KEEP_BEYOND_BOUND,
    ROUTED_READS,
    Positions,
    Replica,
    Replicas,
    current_scope,
)

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
    def __init__(
        self, url: str, *, replica_urls: Sequence[str] = (), max_lag_seconds: float = 5.0
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite and replica_urls:
            raise ValueError("read replicas need PostgreSQL (ROOST_DATABASE_URL)")
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
        self.replicas = Replicas(
            [Replica(f"replica{n}", _replica_engine(u)) for n, u in enumerate(replica_urls)],
            primary=self.read_engine,
            max_lag=max_lag_seconds,
        )
        for replica in self.replicas.members:
            self.pools[replica.name] = (replica.engine.sync_engine.pool, 20)
        # Where readers' positions are kept: this process, until ``keep_positions``.
        self.positions = Positions(None, prefix="", ttl=max_lag_seconds + KEEP_BEYOND_BOUND)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._routed = async_sessionmaker(sync_session_class=_Routed, expire_on_commit=False)

    def keep_positions(self, redis: Client | None, *, prefix: str) -> None:
        """Keep readers' positions in Redis (shared by every process), under ``prefix``."""
        self.positions = Positions(redis, prefix=prefix, ttl=self.positions.ttl)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session for a transaction that changes data; commit with ``commit()``."""
        async with self._write(info={"db": self}) as session:
            yield session

    @asynccontextmanager
    async def read(self, *, may_lag: bool = False) -> AsyncIterator[AsyncSession]:
        """A session for reads, on the primary; with ``may_lag`` (and replicas), one whose
        statements go where ``bind_for`` says."""
        if may_lag and self.replicas:
            async with self._routed(info={"db": self, "may_lag": True}) as session:
                yield session
            return
        async with self._read(info={"db": self}) as session:
            yield session

    async def declare_reader(self, account_id: int | None) -> None:
        """The current request reads for this account (None: for nobody): its reads that
        may lag need a replica past the account's last write."""
        scope = current_scope()
        if scope is None or scope.declared or not self.replicas:
            return
        scope.declared, scope.account_id = True, account_id
        if account_id is None:
            return
        try:
            scope.need = await self.positions.of(account_id)
        except Exception as exc:  # Redis unreachable: the position is unknown
            log.warning("reading a reader's position failed, reading the primary: %r", exc)
            scope.primary_only = True

    def bind_for(self, info: dict[Any, Any]) -> Engine:
        """Where a read session that may lag sends its next statement. It keeps its first
        choice, but moves to the primary (never back) once its replica is short of what
        the request must see: the request wrote meanwhile."""
        scope = current_scope()
        need = None
        if scope is not None and scope.declared and not scope.primary_only:
            need = scope.need
        if "replica" in info:
            held: Replica | None = info["replica"]
            if held is None or (need is not None and held.replayed >= need):
                return (held.engine if held else self.read_engine).sync_engine
        elif need is not None:
            info["replica"] = chosen = self.replicas.choose(need)
            ROUTED_READS.labels(chosen.name if chosen else "primary").inc()
            if chosen is not None:
                return chosen.engine.sync_engine
        else:
            ROUTED_READS.labels("primary").inc()
        info["replica"] = None
        return self.read_engine.sync_engine

    async def committed(self, session: AsyncSession) -> None:
        """A write session committed: the rest of the request reads the primary, and the
        primary's position now is kept for each account it wrote for."""
        scope = current_scope()
        writers: set[int] = session.info.pop("writers", set())
        if scope is not None:
            scope.primary_only = True
            if scope.account_id is not None:
                writers.add(scope.account_id)
        if not writers:
            return
        try:
            await self.positions.remember(writers, await self.replicas.written())
        except Exception as exc:  # committed all the same: its writer may see it late
            log.warning("keeping a writer's position failed: %r", exc)

    async def dispose(self) -> None:
        await self.replicas.close()
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()


class _Routed(Session):
    """A read session that may lag: ``Database.bind_for`` says where each statement
    goes."""

    def get_bind(self, mapper: Any = None, *, bind: Any = None, **kw: Any) -> Any:
        if bind is not None:
            return bind
        database: Database = self.info["db"]
        return database.bind_for(self.info)


@asynccontextmanager
async def fresh(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """A session that sees every commit so far: ``session`` itself, unless it is a read
    that may lag and is not on the primary; then a read session on the primary."""
    database: Database | None = session.info.get("db")
    on_primary = "replica" in session.info and session.info["replica"] is None
    if database is None or not session.info.get("may_lag") or on_primary:
        yield session
        return
    async with database.read() as primary:
        yield primary


def wrote_for(session: AsyncSession, account_ids: Iterable[int]) -> None:
    """This transaction writes for these accounts too (a sign-up, for the account it
    makes): once it commits, their reads see it (``Database.committed``)."""
    session.info.setdefault("writers", set()).update(account_ids)


def _replica_engine(url: str) -> AsyncEngine:
    """A replica's engine, made as the primary's; reads without BEGIN. It pings each
    connection it hands out: a replica is restarted or rebuilt more often than the
    primary, and a connection it dropped would fail the request that drew it."""
    engine = create_async_engine(
        url,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"server_settings": {"jit": "off"}},
    )
    drop_broken_connections(engine)  # core/db_outages.py
    return engine.execution_options(isolation_level="AUTOCOMMIT")


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
    database: Database | None = session.info.get("db")
    if database is not None and database.replicas:
        await database.committed(session)
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
