"""The primary is lost and its replica promoted by hand (``pg_ctl promote``): Roost,
given both servers in one multi-host URL with ``target_session_attrs=read-write``,
writes to the new primary without a restart, and nothing committed before is lost
when the old primary was stopped cleanly (its replica had every commit). When it
crashed with commits its replica never received, those are lost, and Redis forgets
what it was told of them (core/history.py).

Only the PostgreSQL pass runs this module (``ONE_PASS`` in tests/conftest.py); each failover
has a pair of its own, which it leaves broken.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from roost.core.history import TIMELINE, History
from roost.runtime import Runtime
from tests.conftest import REDIS_URL, AppClient
from tests.core.replication import DATABASE, Pair
from tests.factories import Factory, User

pytestmark = pytest.mark.timeout(180)

DEADLINE = 60.0
HOME = "/api/v1/timelines/home"
# A kept page lives 60 s (timelines/page_cache.py): this is well within, and far above
# the one second between checks of the timeline.
WINDOW = 20.0


@pytest.fixture
def pair() -> Iterator[Pair]:
    started = Pair()
    try:
        started.start()
        yield started
    finally:
        started.close()


@asynccontextmanager
async def on_the_pair(
    app_client: AppClient, pair: Pair
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime, User]]:
    """Roost on the pair (its primary as a multi-host URL, its replica for reads) and
    Redis, once the replica has caught up, with one person, erin."""
    await pair.caught_up()
    async with app_client(
        database_url=both(pair),
        database_replica_urls=pair.replica.url(),
        redis_url=REDIS_URL,
    ) as (client, runtime):
        yield client, runtime, await Factory(runtime).user("erin")


def both(pair: Pair) -> str:
    """The primary URL naming both servers: asyncpg takes the first that accepts writes."""
    hosts = "&".join(f"host=127.0.0.1:{s.port}" for s in (pair.primary, pair.replica))
    return f"postgresql+asyncpg://postgres@/{DATABASE}?{hosts}&target_session_attrs=read-write"


async def test_roost_writes_to_a_promoted_replica_without_a_restart(
    app_client: AppClient, pair: Pair
) -> None:
    async with on_the_pair(app_client, pair) as (client, runtime, author):
        before = await post(client, author.headers, "before the failover")
        assert before.status_code == 200, before.text

        await asyncio.to_thread(pair.primary.stop)
        await asyncio.to_thread(pair.replica.promote)

        failed = 0
        deadline = time.monotonic() + DEADLINE
        while not await posted(client, author.headers, "after"):
            failed += 1  # the connection pooled to the old primary fails the request it serves
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        assert failed <= 2  # then the pool drops every connection to it

        page = await client.get(f"/api/v1/accounts/{author.id}/statuses", headers=author.headers)
        contents = [s["content"] for s in page.json()]
        assert len(contents) == 2 and "after" in contents[0]
        assert "before the failover" in contents[1]  # nothing committed before was lost
        assert await pair.replica.fetchval("SELECT NOT pg_is_in_recovery()") is True


async def post(client: httpx.AsyncClient, headers: dict[str, str], text: str) -> httpx.Response:
    return await client.post("/api/v1/statuses", json={"status": text}, headers=headers)


async def posted(client: httpx.AsyncClient, headers: dict[str, str], text: str) -> bool:
    """Whether the post was made; a request that fails on a lost connection is an
    error the in-process transport raises here (a 500 over a socket)."""
    try:
        response = await post(client, headers, text)
    except Exception:
        return False
    return response.status_code == 200


async def test_a_commit_the_replica_never_received_is_gone_from_every_cache_too(
    app_client: AppClient, pair: Pair
) -> None:
    """Asynchronous replication's window: a post committed on the primary, in its
    author's home and in the caches, never reaches the replica before the primary is
    lost. Once the replica is promoted the post is gone from the database, and Roost
    shows it nowhere: not on the home it was delivered to, not by its id, not in counts."""
    async with on_the_pair(app_client, pair) as (client, runtime, author):
        kept = await post(client, author.headers, "replicated")
        assert kept.status_code == 200, kept.text
        await pair.caught_up()
        await pair.stop_receiving()

        lost = await post(client, author.headers, "never replicated")
        assert lost.status_code == 200, lost.text
        await runtime.jobs.drain()
        home = await client.get(HOME, headers=author.headers)
        assert [s["id"] for s in home.json()] == [lost.json()["id"], kept.json()["id"]]

        await asyncio.to_thread(pair.primary.kill)
        await asyncio.to_thread(pair.replica.promote)
        assert await pair.replica.fetchval("SELECT count(*) FROM statuses", database=DATABASE) == 1

        # The home that showed it, read again with nothing else changed: its kept page
        # is served until the next check of the database's timeline (core/history.py).
        deadline = time.monotonic() + WINDOW
        while (home := await answered(client, HOME, author.headers)) is None or [
            s["id"] for s in home.json()
        ] != [kept.json()["id"]]:
            assert time.monotonic() < deadline, home and home.json()
            await asyncio.sleep(0.1)
        gone = await client.get(f"/api/v1/statuses/{lost.json()['id']}", headers=author.headers)
        assert gone.status_code == 404, gone.text
        me = await client.get("/api/v1/accounts/verify_credentials", headers=author.headers)
        assert me.json()["statuses_count"] == 1

        deadline = time.monotonic() + DEADLINE
        while not await posted(client, author.headers, "after"):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        home = await client.get(HOME, headers=author.headers)
        assert [s["content"] for s in home.json()] == ["<p>after</p>", "<p>replicated</p>"]


async def answered(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> httpx.Response | None:
    """The answer to a read, or None while the database cannot answer it."""
    try:
        response = await client.get(path, headers=headers)
    except Exception:
        return None
    return response if response.status_code == 200 else None


async def test_only_a_timeline_newer_than_any_seen_makes_redis_forget(runtime: Runtime) -> None:
    """The rule of core/history.py, on this run's primary, each check by a process of
    its own: the first timeline seen is recorded and nothing forgotten; one
    older than recorded (the old primary, still up after a promotion) changes nothing; a
    newer one forgets every version, once."""
    redis, versions = runtime.redis, runtime.versions
    assert redis is not None and runtime.history is not None
    await runtime.history.close()  # no poll of its own between the steps
    key, recorded = versions.key("status", 1), runtime.history.key

    async def check() -> bool:
        process = History(runtime.db.url, redis, versions)
        try:
            return await process.check()
        finally:
            await process.close()

    async def held() -> bool:
        (found,) = await versions.start([key])
        return found == version

    async with runtime.db.read() as session:
        walfile = await session.scalar(TIMELINE)
    now = int(walfile[:8], 16)

    await redis.delete(recorded)
    (version,) = await versions.start([key])
    assert await check() is False
    assert int(await redis.get(recorded)) == now and await held()

    await redis.set(recorded, now + 1)  # a promotion seen, then the old primary read
    assert await check() is False
    assert int(await redis.get(recorded)) == now + 1 and await held()

    await redis.set(recorded, now - 1)  # this primary's timeline is the newer
    assert await check() is True
    assert int(await redis.get(recorded)) == now and not await held()  # a new version
    assert await check() is False  # once
