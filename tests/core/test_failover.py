"""The primary is lost and its replica promoted by hand (``pg_ctl promote``): Roost,
given both servers in one multi-host URL with ``target_session_attrs=read-write``,
writes to the new primary without a restart, and nothing committed before is lost
(the old primary was stopped cleanly, so its replica had every commit).

Only the PostgreSQL pass collects this module (tests/core/conftest.py); it has a pair
of its own, which the test leaves broken.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import REDIS_URL, AppClient
from tests.core.replication import DATABASE, Pair
from tests.factories import Factory

pytestmark = pytest.mark.timeout(180)

DEADLINE = 60.0


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    started = Pair()
    try:
        started.start()
        yield started
    finally:
        started.close()


def both(pair: Pair) -> str:
    """The primary URL naming both servers: asyncpg takes the first that accepts writes."""
    hosts = "&".join(f"host=127.0.0.1:{s.port}" for s in (pair.primary, pair.replica))
    return f"postgresql+asyncpg://postgres@/{DATABASE}?{hosts}&target_session_attrs=read-write"


async def test_roost_writes_to_a_promoted_replica_without_a_restart(
    app_client: AppClient, pair: Pair
) -> None:
    await pair.caught_up()
    async with app_client(
        database_url=both(pair),
        database_replica_urls=pair.replica.url(),
        redis_url=REDIS_URL,
    ) as (client, runtime):
        author = await Factory(runtime).user("erin")
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
