"""Redis unreachable: reads answer from SQL, writes that committed answer success, and
what Redis missed is done again from SQL once it returns (docs/technical-spec.md,
"Failure modes"). The app talks to the run's Redis through a proxy the test cuts; the
data in Redis stays, as when a network or a paused Redis comes back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlparse

import httpx
import pytest
from sqlalchemy import func, select

from roost.core.breaker import REDIS_DOWN
from roost.core.db import utcnow
from roost.core.settings import Settings
from roost.jobs.forget import KIND as FORGET_KIND
from roost.jobs.models import OutboxJob
from roost.runtime import Runtime
from tests import redis_cluster
from tests.conftest import REDIS_URL, AppClient
from tests.factories import Factory, User
from tests.lists.test_routes import add, make_list
from tests.proxy import Proxy
from tests.timelines.helpers import HOME, follow, make_big, post

pytestmark = pytest.mark.timeout(120)

Cut = tuple[Runtime, httpx.AsyncClient, Factory, Proxy]


# One Redis, whatever the run's: a cluster client learns every node's address from the
# node it is given and would go around the proxy.
ONE_REDIS = "redis://127.0.0.1:6379/0" if redis_cluster.CLUSTER else REDIS_URL


@pytest.fixture
async def cut(app_client: AppClient, settings: Settings) -> AsyncIterator[Cut]:
    """An app whose Redis is reached through a proxy, with a short breaker period and
    outbox rows due soon after their commit (the test sweeps by itself)."""
    target = urlparse(ONE_REDIS)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 6379)
    await proxy.start()
    url = f"redis://127.0.0.1:{proxy.port}{target.path}"
    changes = {
        "redis_url": url,
        "redis_cluster": False,
        "redis_breaker_seconds": 0.05,
        "sweep_after_seconds": 0.2,
    }
    try:
        async with app_client(**changes) as (client, runtime):
            yield runtime, client, Factory(runtime), proxy
    finally:
        await proxy.stop()
        redis_cluster.delete_keys(ONE_REDIS, f"{settings.redis_prefix}*", cluster=False)


async def page(client: httpx.AsyncClient, path: str, user: User | None = None) -> list[str]:
    response = await client.get(path, headers=user.headers if user else {})
    assert response.status_code == 200, response.text
    return [status["id"] for status in response.json()]


async def reachable(runtime: Runtime) -> None:
    """Wait until this process reaches Redis again (its breaker lets a probe through)."""
    assert runtime.redis is not None
    for _ in range(500):
        try:
            await runtime.redis.ping()
            return
        except REDIS_DOWN:
            await asyncio.sleep(0.01)
    raise AssertionError("Redis did not come back")


async def redrive(runtime: Runtime, kind: str | None = None) -> None:
    """Sweep until no outbox row (of ``kind``) is due soon: what the sweep of any
    process does every few seconds."""
    for _ in range(300):
        async with runtime.db.read() as session:
            soon = utcnow() + timedelta(seconds=30)
            query = select(func.count()).where(OutboxJob.next_attempt_at < soon)
            if kind is not None:
                query = query.where(OutboxJob.kind == kind)
            if not await session.scalar(query):
                await runtime.jobs.drain()
                return
        await runtime.jobs.sweep()
        await asyncio.sleep(0.05)
    raise AssertionError("the sweep did not finish the outbox")


async def test_timelines_answer_from_sql_and_a_post_is_delivered_once_redis_returns(
    cut: Cut,
) -> None:
    runtime, client, factory, proxy = cut
    bob, alice, carol, star = [await factory.user(n) for n in ("bob", "alice", "carol", "star")]
    await follow(runtime, bob, alice, carol, star)
    await make_big(runtime, star.account.id)  # merged at read time, not fanned out
    friends = await make_list(client, bob, "Friends")
    await add(client, bob, friends, alice, carol)
    first = await post(client, alice, "before")
    await runtime.jobs.drain()
    boosted = await client.post(f"/api/v1/statuses/{first}/reblog", headers=carol.headers)
    assert boosted.status_code == 200, boosted.text
    await runtime.jobs.drain()
    in_list = f"/api/v1/timelines/list/{friends}"
    # Live in Redis: one appearance of the post, the boost left out.
    assert await page(client, HOME, bob) == [first]
    assert await page(client, in_list, bob) == [first]

    await proxy.refuse()
    during = await post(client, alice, "during")  # committed: it answers success
    loud = await post(client, star, "the star speaks")
    # Every timeline answers from SQL, by the same rule: one appearance per post.
    assert await page(client, HOME, bob) == [loud, during, first]
    assert await page(client, HOME, alice) == [during, first]
    assert await page(client, in_list, bob) == [during, first]
    assert await page(client, "/api/v1/timelines/public") == [loud, during, first]
    older = await client.get(HOME, params={"max_id": during}, headers=bob.headers)
    assert [s["id"] for s in older.json()] == [first]

    await proxy.restore()
    await reachable(runtime)
    # The fan-out could not be queued; the sweep queues it from its outbox row.
    await redrive(runtime)
    assert [e.status_id for e in await runtime.timelines.page(bob.account.id)] == [
        int(during),
        int(first),
    ]
    assert await page(client, HOME, bob) == [loud, during, first]
    assert await page(client, in_list, bob) == [during, first]


async def test_a_cache_deletion_redis_missed_is_done_by_the_sweep(cut: Cut) -> None:
    runtime, client, factory, proxy = cut
    bob, alice = await factory.user("bob"), await factory.user("alice", display_name="Alice")
    await follow(runtime, bob, alice)
    await post(client, alice, "hello")
    await runtime.jobs.drain()
    shown = (await client.get(HOME, headers=bob.headers)).json()
    assert shown[0]["account"]["display_name"] == "Alice"

    await proxy.refuse()
    renamed = await client.patch(
        "/api/v1/accounts/update_credentials",
        json={"display_name": "Alice Liddell"},
        headers=alice.headers,
    )
    assert renamed.status_code == 200, renamed.text
    await proxy.restore()
    await reachable(runtime)

    # Redis still holds the rendering under the version the commit could not delete:
    # stale until the job queued in its place runs.
    shown = (await client.get(HOME, headers=bob.headers)).json()
    assert shown[0]["account"]["display_name"] == "Alice"
    await redrive(runtime, FORGET_KIND)
    shown = (await client.get(HOME, headers=bob.headers)).json()
    assert shown[0]["account"]["display_name"] == "Alice Liddell"
