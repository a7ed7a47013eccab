"""Read replicas (core/replicas.py), against a real primary and a streaming replica that
applies every commit 2 s late (tests/core/replication.py): a person sees their own
writes at once, whatever they do; other readers may lag, but read every post once; a
replica that lags past the bound, or is down, is skipped and reads still answer.

Only the PostgreSQL pass runs this module (``ONE_PASS`` in tests/conftest.py): the pair it
starts is the same whatever the pass.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from roost.core.replicas import Replica
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.conftest import REDIS_URL, AppClient
from tests.core.replication import Pair
from tests.factories import Factory
from tests.oauth.support import app_token, bearer, password_token, register_app
from tests.timelines.helpers import HOME, HeldDeliveries, follow, post
from tests.timelines.test_exactly_once import (
    POSTS_EACH,
    WRITERS,
    exactly_once_scenario,
    read_everything,
)

pytestmark = pytest.mark.timeout(180)

DEADLINE = 30.0
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    started = Pair()
    try:
        started.start()
        yield started
    finally:
        started.close()


@pytest.fixture
async def replicated(
    app_client: AppClient, pair: Pair
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    """The app on the pair, with Redis (positions, timelines) under the test's prefix.
    The lag bound is long: the replica's 2 s delay, and a paused replay, stay within it."""
    async with app_client(
        database_url=pair.primary.url(),
        database_replica_urls=pair.replica.url(),
        database_replica_max_lag_seconds=60.0,
        redis_url=REDIS_URL,
    ) as (client, runtime):
        await usable(client, True)
        yield client, runtime


async def metric(client: httpx.AsyncClient, name: str, **labels: str) -> float:
    """A sample of the app's /metrics, as a scrape reads it (0 if absent)."""
    page = (await client.get("/metrics")).text
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def usable(client: httpx.AsyncClient, wanted: bool) -> None:
    """Wait until the app's poller says the replica is (not) usable."""
    deadline = time.monotonic() + DEADLINE
    while await metric(client, "roost_db_replica_usable", replica="replica0") != wanted:
        assert time.monotonic() < deadline, f"the replica never became usable={wanted}"
        await asyncio.sleep(0.05)


async def replica_reads(client: httpx.AsyncClient) -> float:
    return await metric(client, "roost_db_routed_reads_total", to="replica0")


async def on_the_replica(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """An anonymous read of ``path`` that the replica answered. A usable replica may be
    skipped for a moment (a poll slower than its timeout, on a loaded machine) and the
    read answered by the primary instead, so ask until one reaches the replica."""
    deadline = time.monotonic() + DEADLINE
    while True:
        before = await replica_reads(client)
        response = await client.get(path)
        if await replica_reads(client) > before:
            return response
        assert time.monotonic() < deadline, f"no read of {path} reached the replica"
        await asyncio.sleep(0.05)


async def sign_up(client: httpx.AsyncClient, token: str, name: str) -> dict[str, str]:
    """A person signed up through the API; their headers."""
    response = await client.post(
        "/api/v1/accounts",
        data={
            "username": name,
            "email": f"{name}@example.com",
            "password": PASSWORD,
            "agreement": "true",
            "locale": "en",
        },
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


async def test_a_person_sees_their_own_writes_at_once(
    replicated: tuple[httpx.AsyncClient, Runtime], pair: Pair
) -> None:
    client, _ = replicated
    # The replica replays nothing from here on: only the primary has what follows.
    await pair.pause_replay()
    try:
        app = await register_app(client)
        token = await app_token(client, app, scope="read write follow")  # not 401
        verified = await client.get("/api/v1/apps/verify_credentials", headers=bearer(token))
        assert verified.status_code == 200, verified.text
        alice = await sign_up(client, token, "alice")
        me = await client.get("/api/v1/accounts/verify_credentials", headers=alice)
        assert me.status_code == 200 and me.json()["username"] == "alice", me.text
        login = await password_token(client, app, "alice@example.com", PASSWORD, "read write")
        assert login.status_code == 200, login.text
        alice = bearer(login.json()["access_token"])

        posted = await client.post("/api/v1/statuses", json={"status": "hi"}, headers=alice)
        assert posted.status_code == 200, posted.text  # not 404: rendered from the primary
        post_id = posted.json()["id"]
        mine = await client.get(f"/api/v1/statuses/{post_id}", headers=alice)
        assert mine.status_code == 200, mine.text
        profile = await client.get(f"/api/v1/accounts/{me.json()['id']}/statuses", headers=alice)
        assert [s["id"] for s in profile.json()] == [post_id]
        home = await client.get(HOME, headers=alice)
        assert [s["id"] for s in home.json()] == [post_id]

        bob = await sign_up(client, token, "bob")
        bob_id = (await client.get("/api/v1/accounts/verify_credentials", headers=bob)).json()
        followed = await client.post(f"/api/v1/accounts/{bob_id['id']}/follow", headers=alice)
        assert followed.status_code == 200 and followed.json()["following"], followed.text
        relations = await client.get(
            "/api/v1/accounts/relationships", params={"id[]": bob_id["id"]}, headers=alice
        )
        assert [r["following"] for r in relations.json()] == [True]

        # Someone else reads the (stopped) replica: the post is not there for them yet.
        anonymous = await on_the_replica(client, f"/api/v1/statuses/{post_id}")
        assert anonymous.status_code == 404
    finally:
        await pair.resume_replay()
    await pair.caught_up()
    seen = await client.get(f"/api/v1/statuses/{post_id}")
    assert seen.status_code == 200  # once the replica replayed it


async def test_the_next_request_may_reach_another_process(
    app_client: AppClient, pair: Pair
) -> None:
    """Two API processes (two apps on one Redis prefix): a post made through one is the
    author's at once through the other, which learns the author's position from Redis."""
    settings = {
        "database_url": pair.primary.url(),
        "database_replica_urls": pair.replica.url(),
        "database_replica_max_lag_seconds": 60.0,
        "redis_url": REDIS_URL,
    }
    async with app_client(**settings) as (one, runtime), app_client(**settings) as (other, _):
        author = await Factory(runtime).user("heidi")
        await usable(other, True)
        await pair.pause_replay()
        try:
            post_id = await post(one, author, "through the first process")
            mine = await other.get(f"/api/v1/statuses/{post_id}", headers=author.headers)
            assert mine.status_code == 200, mine.text
            anonymous = await on_the_replica(other, f"/api/v1/statuses/{post_id}")
            assert anonymous.status_code == 404
        finally:
            await pair.resume_replay()


async def test_what_a_lagging_reader_puts_in_a_cache_is_read_on_the_primary(
    replicated: tuple[httpx.AsyncClient, Runtime], pair: Pair
) -> None:
    """Someone renders Ivan's post off the replica, which lacks the name he just gave
    himself: the account cache it fills takes the row from the primary, so Ivan (whose
    reads hit that cache) sees his own change."""
    client, runtime = replicated
    ivan = await Factory(runtime).user("ivan")
    post_id = await post(client, ivan, "hello")
    await pair.caught_up()
    await pair.pause_replay()
    try:
        renamed = await client.patch(
            "/api/v1/accounts/update_credentials",
            data={"display_name": "Ivan Renamed"},
            headers=ivan.headers,
        )
        assert renamed.status_code == 200, renamed.text
        assert (await client.get(f"/api/v1/statuses/{post_id}")).status_code == 200
        mine = await client.get(f"/api/v1/statuses/{post_id}", headers=ivan.headers)
        assert mine.json()["account"]["display_name"] == "Ivan Renamed"
    finally:
        await pair.resume_replay()


async def test_a_home_rebuilt_while_the_replica_lags_has_every_post(
    replicated: tuple[httpx.AsyncClient, Runtime], pair: Pair
) -> None:
    """Bob posts while the replica replays nothing. Alice's home was never read, so the
    delivery passes it by, and her first read rebuilds it: from the primary."""
    client, runtime = replicated
    factory = Factory(runtime)
    alice, bob = await factory.user("frank"), await factory.user("grace")
    await follow(runtime, alice, bob)
    await pair.caught_up()
    await pair.pause_replay()
    try:
        post_id = await post(client, bob, "while the replica waits")
        await runtime.jobs.drain()
        home = await client.get(HOME, headers=alice.headers)
        assert [s["id"] for s in home.json()] == [post_id]
    finally:
        await pair.resume_replay()


async def test_lagging_readers_still_see_every_post_exactly_once(
    replicated: tuple[httpx.AsyncClient, Runtime],
    pair: Pair,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Several writers post while a reader polls and pages its home, and another person
    polls and pages each writer's profile (read from the replica, 2 s behind): each sees
    every post once."""
    client, runtime = replicated
    factory = Factory(runtime)
    reader, lurker = await factory.user("reader"), await factory.user("lurker")
    writers = [await factory.user(f"writer{i}") for i in range(WRITERS)]
    await follow(runtime, reader, *writers)
    await pair.caught_up()

    profiles = {w.id: f"/api/v1/accounts/{w.id}/statuses" for w in writers}
    seen: dict[str, list[str]] = {w.id: [] for w in writers}
    settled = asyncio.Event()
    before = await replica_reads(client)
    lurking = [
        asyncio.create_task(read_everything(client, lurker, seen[w], settled, "link", path=p))
        for w, p in profiles.items()
    ]
    async with HeldDeliveries(runtime, reader, monkeypatch) as held:
        await exactly_once_scenario(client, runtime, reader, writers, held, "link")
    await pair.caught_up()  # then a poll finds whatever the replica still lacked
    settled.set()
    await asyncio.gather(*lurking)

    async with runtime.db.read() as session:
        rows = (await session.execute(select(Status.account_id, Status.id))).all()
    for writer in writers:
        posted = {str(i) for a, i in rows if a == writer.account.id}
        assert len(posted) == POSTS_EACH
        assert sorted(seen[writer.id]) == sorted(posted), f"{writer.id}: not each post once"
    assert await replica_reads(client) > before


async def test_a_replica_past_the_lag_bound_is_skipped(app_client: AppClient, pair: Pair) -> None:
    async with app_client(
        database_url=pair.primary.url(),
        database_replica_urls=pair.replica.url(),
        # Above the replica's 2 s apply delay plus a loaded machine's poll gaps (at 2 s,
        # writes in the seconds before kept it past the bound for the whole test).
        database_replica_max_lag_seconds=5.0,
        redis_url=REDIS_URL,
    ) as (client, runtime):
        await usable(client, True)
        author = await Factory(runtime).user("carol")
        await pair.pause_replay()
        try:
            post = await client.post(
                "/api/v1/statuses", json={"status": "x"}, headers=author.headers
            )
            await usable(client, False)  # five seconds behind, then more
            shown = await public_ids(client)
            assert post.json()["id"] in shown  # read on the primary: the replica lacks it
        finally:
            await pair.resume_replay()
        await usable(client, True)  # caught up: used again
        await on_the_replica(client, "/api/v1/timelines/public")


async def test_a_replica_that_is_down_is_skipped(
    replicated: tuple[httpx.AsyncClient, Runtime], pair: Pair
) -> None:
    client, runtime = replicated
    author = await Factory(runtime).user("dave")
    await pair.caught_up()
    await public_ids(client)  # the pool holds a connection to the replica
    await asyncio.to_thread(pair.replica.stop)
    try:
        await usable(client, False)
        post = await client.post("/api/v1/statuses", json={"status": "y"}, headers=author.headers)
        for _ in range(5):  # every read answers, from the primary
            assert post.json()["id"] in await public_ids(client)
    finally:
        await asyncio.to_thread(pair.replica.start)
    await usable(client, True)  # back: used again
    await on_the_replica(client, "/api/v1/timelines/public")


def test_a_replica_may_lag_by_the_time_since_its_last_poll() -> None:
    """Between polls a replica may have replayed nothing: the time since its last good
    poll counts as lag, so a stalled poller ends its use at the bound, not before."""
    polled = Replica("r", engine=None, replayed=10, lag=0.2, up=True, seen_at=100.0)  # type: ignore[arg-type]
    assert polled.serves(10, 1.0, now=100.3)
    assert not polled.serves(11, 1.0, now=100.3)  # it has not replayed the reader's write
    assert polled.serves(10, 1.0, now=100.8)  # 0.2 s behind at the poll, 0.6 s since
    assert not polled.serves(10, 1.0, now=100.9)
    polled.mark_down()
    assert not polled.serves(10, 1.0, now=100.3)


async def public_ids(client: httpx.AsyncClient) -> list[str]:
    response = await client.get("/api/v1/timelines/public")
    assert response.status_code == 200, response.text
    return [status["id"] for status in response.json()]
