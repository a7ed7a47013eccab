"""Helpers for statuses and notifications tests: posting through the API, and
relationships written straight into the database (the follows API is separate)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from roost.accounts.models import Account
from roost.core.ids import new_id
from roost.follows.models import Block, Follow, Mute
from roost.runtime import Runtime
from tests.factories import User


async def post(client: httpx.AsyncClient, user: User, text: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/statuses", json={"status": text, **fields}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def home(client: httpx.AsyncClient, user: User) -> list[dict[str, Any]]:
    """The newest page of ``user``'s home timeline, as the API shows it (on any store)."""
    response = await client.get("/api/v1/timelines/home", headers=user.headers)
    assert response.status_code == 200, response.text
    page: list[dict[str, Any]] = response.json()
    return page


def shows(page: list[dict[str, Any]], status_id: str) -> bool:
    """Whether ``page`` has the status, itself or boosted."""
    return any(s["id"] == status_id or (s["reblog"] or {}).get("id") == status_id for s in page)


async def follow(runtime: Runtime, follower: User, target: User) -> None:
    async with runtime.db.write() as session:
        session.add(
            Follow(id=new_id(), account_id=follower.account.id, target_account_id=target.account.id)
        )
        await session.commit()


async def block(runtime: Runtime, blocker: User, target: User) -> None:
    async with runtime.db.write() as session:
        session.add(
            Block(id=new_id(), account_id=blocker.account.id, target_account_id=target.account.id)
        )
        await session.commit()


async def mute(
    runtime: Runtime, muter: User, target: User, *, hide_notifications: bool = True
) -> None:
    async with runtime.db.write() as session:
        session.add(
            Mute(
                id=new_id(),
                account_id=muter.account.id,
                target_account_id=target.account.id,
                hide_notifications=hide_notifications,
            )
        )
        await session.commit()


async def count(runtime: Runtime, model: type, **where: Any) -> int:
    """Rows of ``model`` matching ``where`` (column=value)."""
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    async with runtime.db.read() as session:
        return int(await session.scalar(query) or 0)


async def account_row(runtime: Runtime, user: User) -> Account:
    """The account as stored now (its counters), read fresh."""
    async with runtime.db.read() as session:
        account = await session.get(Account, user.account.id)
        assert account is not None
        return account
