"""Side effects registered in a transaction run after it commits, in order, and never
after a rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from roost.core.db import AfterCommit, after_commit, as_utc, commit, utcnow
from roost.core.nodes import NodeLease
from roost.runtime import Runtime


async def holders(runtime: Runtime) -> list[str]:
    """What another session sees: only committed rows."""
    async with runtime.db.read() as session:
        return list(await session.scalars(select(NodeLease.holder).where(NodeLease.node_id > 900)))


async def test_after_commit_callbacks_run_after_the_commit_in_order(runtime: Runtime) -> None:
    ran: list[tuple[str, list[str]]] = []

    def callback(name: str) -> AfterCommit:
        async def run() -> None:
            ran.append((name, await holders(runtime)))

        return run

    async with runtime.db.write() as session:
        session.add(NodeLease(node_id=901, holder="committed", expires_at=utcnow()))
        after_commit(session, callback("first"))
        after_commit(session, callback("second"))
        await session.flush()
        assert ran == []  # not at registration, not at flush
        await commit(session)
    # Each saw the committed row from another session: they ran after the commit.
    assert ran == [("first", ["committed"]), ("second", ["committed"])]


async def test_a_failing_side_effect_leaves_the_commit_and_the_others_standing(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    async def unreachable() -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    async def broken() -> None:
        raise RuntimeError("a bug in a side effect")

    async def after() -> None:
        ran.append("after")

    async with runtime.db.write() as session:
        session.add(NodeLease(node_id=903, holder="committed anyway", expires_at=utcnow()))
        for callback in (unreachable, broken, after):
            after_commit(session, callback)
        await commit(session)  # does not raise: the change is committed
    assert ran == ["after"]
    assert await holders(runtime) == ["committed anyway"]
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "roost.core.db"]
    assert [level for level, _ in logged] == ["WARNING", "ERROR"]
    assert "could not reach Redis" in logged[0][1]


async def test_after_commit_callbacks_do_not_run_after_a_rollback(runtime: Runtime) -> None:
    ran: list[str] = []

    async def callback() -> None:
        ran.append("ran")

    async with runtime.db.write() as session:
        session.add(NodeLease(node_id=902, holder="rolled back", expires_at=utcnow()))
        after_commit(session, callback)
        await session.flush()
        await session.rollback()
    assert ran == []
    assert await holders(runtime) == []


async def test_a_rolled_back_transactions_callbacks_do_not_run_at_the_next_commit(
    runtime: Runtime,
) -> None:
    ran: list[str] = []

    async def callback() -> None:
        ran.append("ran")

    async with runtime.db.write() as session:
        await session.execute(text("SELECT 1"))  # a transaction under way, as in every writer
        after_commit(session, callback)
        await session.rollback()
        await commit(session)  # the session's next transaction
    assert ran == []


async def test_callbacks_run_once_for_the_commit_they_were_registered_in(
    runtime: Runtime,
) -> None:
    ran: list[str] = []

    async def callback() -> None:
        ran.append("ran")

    async with runtime.db.write() as session:
        after_commit(session, callback)
        await commit(session)
        await commit(session)  # a second transaction on the session registered nothing
    assert ran == ["ran"]


def test_as_utc_reads_naive_datetimes_as_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    assert as_utc(naive) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC) + timedelta(hours=1)
    assert as_utc(aware) is aware


async def test_a_failed_statement_is_reported_without_its_values(runtime: Runtime) -> None:
    """An error is logged with its statement (app.py logs every unexpected one): never
    with the values, which may be password hashes, token digests or private text."""
    async with runtime.db.write() as session:
        with pytest.raises(DBAPIError) as failed:  # accounts need a username
            await session.execute(
                text("INSERT INTO accounts (id, email) VALUES (7654321, :secret)"),
                {"secret": "s3cret@example.com"},
            )
    assert "s3cret" not in str(failed.value)
    assert "hidden" in str(failed.value)
