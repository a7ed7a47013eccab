"""Shared steps for timeline tests: follow without the API, hold a delivery back."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Self

import httpx
import pytest
from sqlalchemy import select, update

from roost.accounts.models import Account
from roost.core.db import commit
from roost.core.ids import new_id
from roost.follows.models import Follow
from roost.runtime import Runtime
from roost.statuses.models import Status
from roost.timelines.store import Added, Delivery
from roost.web.service import revoke_app
from tests.conftest import REDIS_URL
from tests.factories import User
from tests.redis_cluster import async_client

HOLD = "[held]"


async def revoke(runtime: Runtime, user: User, app_id: int) -> None:
    """The user's tokens of the app revoked, as from the settings screen."""
    async with runtime.db.write() as session:
        await revoke_app(
            session=session, runtime=runtime, account_id=user.account.id, app_id=app_id
        )


async def follow(runtime: Runtime, follower: User, *targets: User) -> None:
    async with runtime.db.write() as session:
        for target in targets:
            session.add(
                Follow(
                    id=new_id(), account_id=follower.account.id, target_account_id=target.account.id
                )
            )
        # As the follow verb does: the follower's kept pages no longer hold.
        runtime.versions.forget(session, "home", [follower.account.id])
        await commit(session)


async def post(client: httpx.AsyncClient, author: User, text: str, **fields: object) -> str:
    response = await client.post(
        "/api/v1/statuses", json={"status": text, **fields}, headers=author.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def link_cursor(response: httpx.Response, rel: str) -> str | None:
    """The max_id (next) or min_id (prev) of a Link header, as Mastodon.py reads it."""
    match = re.search(
        r'<[^>]*[?&](?:max_id|min_id)=(\d+)[^>]*>; rel="' + rel + '"',
        response.headers.get("link", ""),
    )
    return match.group(1) if match else None


async def post_in_order(
    client: httpx.AsyncClient, runtime: Runtime, author: User, count: int
) -> list[str]:
    """Posts whose deliveries land in posting order (fan-outs may otherwise overtake)."""
    posted = []
    for n in range(count):
        posted.append(await post(client, author, f"post {n}"))
        await runtime.jobs.drain()
    return posted


class HeldDeliveries:
    """Holds back fan-out of any post whose text contains ``[held]`` to ``owner``
    until ``release()`` (or the end of the ``async with``): a slow or stuck worker,
    as seen from the reader. With ``list_id``: its delivery into that list."""

    def __init__(
        self,
        runtime: Runtime,
        owner: User,
        monkeypatch: pytest.MonkeyPatch,
        *,
        list_id: int | None = None,
    ) -> None:
        self.runtime = runtime
        self.owner_id = owner.account.id if list_id is None else list_id
        self.released = asyncio.Event()
        self.waiting = 0
        store = runtime.timelines if list_id is None else runtime.list_timelines
        self._deliver = store.deliver
        monkeypatch.setattr(store, "deliver", self.deliver)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()

    async def deliver(self, owner_ids: Sequence[int], delivery: Delivery) -> Added:
        if self.owner_id in owner_ids and not self.released.is_set():
            async with self.runtime.db.read() as session:
                text = await session.scalar(
                    select(Status.text).where(Status.id == delivery.status_id)
                )
            if text and HOLD in text:
                self.waiting += 1
                await self.released.wait()
        return await self._deliver(owner_ids, delivery)

    def release(self) -> None:
        self.released.set()


HOME = "/api/v1/timelines/home"


async def ids(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str | int | None
) -> list[str]:
    response = await client.get(HOME, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [status["id"] for status in response.json()]


async def forget_everything(runtime: Runtime) -> None:
    """What FLUSHALL does to Roost, without touching other tenants of this Redis."""
    redis = async_client(REDIS_URL)
    keys = [key async for key in redis.scan_iter(match=f"{runtime.settings.redis_prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


async def make_big(runtime: Runtime, account_id: int) -> None:
    async with runtime.db.write() as session:
        await session.execute(
            update(Account).where(Account.id == account_id).values(followers_count=1_000_000)
        )
        await session.commit()
