"""Leases of snowflake node numbers, so no two live processes share one."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from roost.core.db import Base, Database, utcnow
from roost.core.ids import MAX_NODE

LEASE_SECONDS = 120


class NodeLease(Base):
    __tablename__ = "node_leases"

    node_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object())}"


async def lease_node(db: Database, holder: str) -> int:
    """Take the lowest node number that is free or whose lease has expired."""
    async with db.write() as session:
        now = utcnow()
        expires = now + timedelta(seconds=LEASE_SECONDS)
        taken = set((await session.scalars(select(NodeLease.node_id))).all())
        for node in range(MAX_NODE + 1):
            if node not in taken:
                session.add(NodeLease(node_id=node, holder=holder, expires_at=expires))
                try:
                    await session.commit()
                except IntegrityError:  # another process took it first
                    await session.rollback()
                    continue
                return node
            claimed = await session.execute(
                update(NodeLease)
                .where(NodeLease.node_id == node, NodeLease.expires_at < now)
                .values(holder=holder, expires_at=expires)
            )
            if claimed.rowcount:  # type: ignore[attr-defined]
                await session.commit()
                return node
        raise RuntimeError("all snowflake node numbers are leased")


async def renew_node(db: Database, node: int, holder: str) -> bool:
    """Extend our lease; False means we lost it and must stop generating ids."""
    async with db.write() as session:
        renewed = await session.execute(
            update(NodeLease)
            .where(NodeLease.node_id == node, NodeLease.holder == holder)
            .values(expires_at=utcnow() + timedelta(seconds=LEASE_SECONDS))
        )
        await session.commit()
        return bool(renewed.rowcount)  # type: ignore[attr-defined]


async def release_node(db: Database, node: int, holder: str) -> None:
    async with db.write() as session:
        await session.execute(
            update(NodeLease)
            .where(NodeLease.node_id == node, NodeLease.holder == holder)
            .values(expires_at=utcnow())
        )
        await session.commit()
