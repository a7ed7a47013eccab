"""Snowflake node leases: no two live holders share a node; a lost or released lease
goes to the next process that asks."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from roost.core.db import Database, as_utc, utcnow
from roost.core.nodes import NodeLease, lease_node, release_node, renew_node
from roost.runtime import Runtime


async def lease(db: Database, node: int) -> NodeLease:
    async with db.read() as session:
        row = await session.scalar(select(NodeLease).where(NodeLease.node_id == node))
    assert row is not None
    return row


async def test_two_leases_get_distinct_nodes(runtime: Runtime) -> None:
    db = runtime.db
    first, second = await lease_node(db, "host:1"), await lease_node(db, "host:2")
    assert len({runtime.node, first, second}) == 3  # the runtime holds one too
    assert (await lease(db, first)).holder == "host:1"
    assert (await lease(db, second)).holder == "host:2"


async def test_renewing_extends_only_the_holders_own_lease(runtime: Runtime) -> None:
    db = runtime.db
    node = await lease_node(db, "host:1")
    before = as_utc((await lease(db, node)).expires_at)
    assert await renew_node(db, node, "host:1")
    assert as_utc((await lease(db, node)).expires_at) >= before
    assert not await renew_node(db, node, "host:2")  # not its lease
    assert (await lease(db, node)).holder == "host:1"


async def test_a_released_node_is_leased_again_and_its_old_holder_learns_it_lost_it(
    runtime: Runtime,
) -> None:
    db = runtime.db
    node = await lease_node(db, "host:1")
    other = await lease_node(db, "host:2")
    await release_node(db, node, "host:1")
    assert await lease_node(db, "host:3") == node  # the lowest free number again
    assert not await renew_node(db, node, "host:1")
    assert await renew_node(db, other, "host:2")  # releasing one touched no other


async def test_an_expired_lease_is_taken_over(runtime: Runtime) -> None:
    db = runtime.db
    node = await lease_node(db, "crashed:1")
    async with db.write() as session:
        await session.execute(
            update(NodeLease)
            .where(NodeLease.node_id == node)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
    assert await lease_node(db, "host:2") == node
    assert (await lease(db, node)).holder == "host:2"
    assert not await renew_node(db, node, "crashed:1")


async def test_releasing_someone_elses_lease_does_nothing(runtime: Runtime) -> None:
    db = runtime.db
    node = await lease_node(db, "host:1")
    await release_node(db, node, "host:2")
    assert await lease_node(db, "host:3") != node
