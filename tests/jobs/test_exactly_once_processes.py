"""The home timeline across real processes: two `roost serve`, two `roost worker`,
one PostgreSQL database and one Redis prefix.

A reader who polls for newer posts (``min_id``) and pages back for older ones
(``max_id``), following the Link headers of either API process, sees every post of
the people it follows exactly once, while they post through both API processes and
one worker is frozen (SIGSTOP) in the middle of a fan-out, then thawed (SIGCONT).

Who runs the jobs the frozen worker holds (``ROOST_SWEEP_AFTER_SECONDS=1``, so the
claim lease is jobs/queue.py's minimum of 5 s): not the stream. Its own redelivery
(XAUTOCLAIM) takes a message only after it has been idle for twice the lease, 10 s.
The outbox sweep, running in every API process and worker, re-queues an unfinished
row 1 s after its post and every second after that. A re-queued job the frozen worker
had only read is run by the other worker at once; one it was running stays claimed
(its Redis lock) until the lease lapses, and the next re-queue after that is run by
the other worker. The test checks that every post reached the reader while the frozen
worker was still stopped, so the jobs it held did not wait for it. Thawed, it finds
its claim lost or the row gone; deliveries are idempotent either way.

And flushing the prefix's keys while people post and read (what FLUSHALL does to
Roost) loses no post: every read succeeds and every timeline comes back.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

import httpx
import pytest
import redis
from sqlalchemy import select

from roost.core.settings import Settings
from roost.jobs.models import OutboxJob
from roost.jobs.queue import group_name, lock_key, stream_key
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory, User
from tests.jobs.cluster import (
    Cluster,
    Process,
    consumers,
    delivered,
    held_jobs,
    missing_from_home,
    outbox_ids,
    seed_followers,
    token_for,
)
from tests.redis_cluster import delete_keys
from tests.timelines.helpers import follow, link_cursor

pytestmark = pytest.mark.timeout(240)

HOME = "/api/v1/timelines/home"
PAGE = 7  # small pages, so that reading takes many polls and page-backs
WRITERS = 3
FOLLOWERS = 40  # each writer's, besides the reader
POSTS_WHILE_FROZEN = 6  # by each writer, after the freeze
POSTS_AFTER_THAW = 4
POSTS_EACH = 15  # at least, by each writer, while Redis is flushed twice
DEADLINE = 90.0


@pytest.fixture
def cluster_settings(cluster_settings: Settings) -> Settings:
    # One follower per round trip: a fan-out lasts long enough to be frozen in.
    return cluster_settings.model_copy(update={"fanout_batch": 1})


class Cast:
    """Writers, each followed by the reader and by people of its own, and the reader,
    made last so that every fan-out reaches the reader after everyone else."""

    def __init__(
        self,
        writers: list[User],
        followers: dict[int, list[int]],
        readers: list[User],
        bystander: User,
    ) -> None:
        self.writers = writers
        self.followers = followers
        self.readers = readers
        self.bystander = bystander  # followed by nobody


async def make_cast(observer: Runtime, followers: int, readers: int) -> Cast:
    factory = Factory(observer)
    writers = [await factory.user(f"writer{n}") for n in range(WRITERS)]
    their = {w.account.id: await seed_followers(observer, w, followers) for w in writers}
    people = [await factory.user(f"reader{n}") for n in range(readers)]
    for reader in people:
        await follow(observer, reader, *writers)
    return Cast(writers, their, people, await factory.user("bystander"))


async def start(
    cluster: Cluster, observer: Runtime, http: httpx.AsyncClient, cast: Cast
) -> tuple[list[str], list[Process], list[str]]:
    """Two API processes and two workers; returns the API base URLs, the workers and
    their consumer names on the job stream, in the same order."""
    servers = [cluster.serve().url, cluster.serve().url]
    workers: list[Process] = []
    names: list[str] = []
    for _ in range(2):
        workers.append(cluster.worker())
        # A worker joins the stream's consumer group when it is first handed a job:
        # post (someone nobody follows) until the new one has taken one.
        while True:
            response = await http.post(
                f"{servers[0]}/api/v1/statuses",
                json={"status": "is anybody there?"},
                headers=cast.bystander.headers,
            )
            assert response.status_code == 200, response.text
            await asyncio.sleep(0.2)
            if len(joined := await consumers(observer)) > len(names):
                break
            if workers[-1].popen.poll() is not None:
                raise AssertionError(f"roost worker stopped:\n{cluster.logs()}")
        (name,) = set(joined) - set(names)
        names.append(name)
    return servers, workers, names


class Writer:
    """One author posting through the API processes in turn; what it posted goes into
    ``mine`` and into the list shared by every writer."""

    def __init__(
        self, http: httpx.AsyncClient, servers: list[str], author: User, posted: list[str]
    ) -> None:
        self.http = http
        self.servers = itertools.cycle(servers)
        self.author = author
        self.posted = posted
        self.mine: list[str] = []
        self.rng = random.Random(author.account.id)

    async def post(self, text: str) -> None:
        response = await self.http.post(
            f"{next(self.servers)}/api/v1/statuses",
            json={"status": text},
            headers=self.author.headers,
        )
        assert response.status_code == 200, response.text
        self.mine.append(response.json()["id"])
        self.posted.append(response.json()["id"])
        await asyncio.sleep(self.rng.random() / 50)


class Reader:
    """Reads one home timeline like a client: a first page, then polls for newer posts
    with the Link header's ``min_id`` and pages back for older ones with its
    ``max_id``, asking the API processes in turn; every status id it is shown goes
    into ``seen``."""

    def __init__(
        self, http: httpx.AsyncClient, servers: list[str], headers: dict[str, str]
    ) -> None:
        self.http = http
        self.servers = itertools.cycle(servers)
        self.headers = headers
        self.seen: list[str] = []

    async def get(self, **params: str) -> tuple[list[str], str | None, str | None]:
        response = await self.http.get(
            f"{next(self.servers)}{HOME}",
            params={"limit": PAGE, **params},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        shown = [status["id"] for status in response.json()]
        return shown, link_cursor(response, "prev"), link_cursor(response, "next")

    async def see(self, **params: str) -> tuple[list[str], str | None, str | None]:
        shown, prev, after = await self.get(**params)
        self.seen.extend(shown)
        return shown, prev, after

    async def follow_along(self, settled: asyncio.Event) -> None:
        """Poll and page back until a round begun after ``settled`` finds nothing new
        either way."""
        newest: str | None = None
        oldest: str | None = None
        while newest is None:
            _, newest, oldest = await self.see()
            await asyncio.sleep(0.01)
        older_left = True
        while True:
            final = settled.is_set()
            newer, prev, _ = await self.see(min_id=newest)
            while newer:
                newest = prev or newest
                newer, prev, _ = await self.see(min_id=newest)
            if older_left and oldest is not None:
                older, _, after = await self.see(max_id=oldest)
                older_left = bool(older)
                oldest = after or oldest
            if final and not older_left:
                return
            await asyncio.sleep(0.02)

    async def everything(self) -> list[str]:
        """The whole timeline, newest first, paging back by the Link header."""
        shown, _, cursor = await self.get()
        whole = list(shown)
        while shown and cursor is not None:
            shown, _, cursor = await self.get(max_id=cursor)
            whole += shown
        return whole


class Caught:
    """A fan-out a worker was frozen in: its job and its post, which has reached some
    of the author's followers and not yet the reader (the last of them)."""

    def __init__(self, job_id: int, status_id: int) -> None:
        self.job_id = job_id
        self.status_id = status_id


async def fan_out_under_way(
    observer: Runtime, cast: Cast, consumer: str, reader: User
) -> Caught | None:
    """A fan-out ``consumer`` has read, claimed and begun, and not finished."""
    assert observer.redis is not None
    held = await held_jobs(observer, consumer)
    async with observer.db.read() as session:
        payloads = dict(
            (
                await session.execute(
                    select(OutboxJob.id, OutboxJob.payload).where(
                        OutboxJob.id.in_(held), OutboxJob.kind == "fan_out"
                    )
                )
            ).all()
        )
        posts = {int(str(p["status_id"])): job_id for job_id, p in payloads.items()}
        authors = await session.execute(
            select(Status.id, Status.account_id).where(Status.id.in_(posts))
        )
        jobs = [(posts[status_id], status_id, author) for status_id, author in authors.all()]
    for job_id, status_id, author in jobs:
        followers = cast.followers.get(author, [])
        if (
            followers
            and await observer.redis.exists(claim_key(observer, job_id))
            and await delivered(observer, followers, status_id) > 0
            and await missing_from_home(observer, reader.account.id, [status_id])
        ):
            return Caught(job_id, status_id)
    return None


async def freeze_mid_fan_out(
    observer: Runtime, cast: Cast, worker: Process, consumer: str, reader: User
) -> Caught:
    """SIGSTOP ``worker`` in the middle of a fan-out; thaw it and try again when the
    freeze landed anywhere else."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if await fan_out_under_way(observer, cast, consumer, reader):
            worker.pause()
            caught = await fan_out_under_way(observer, cast, consumer, reader)
            if caught is not None:
                return caught
            worker.resume()
        await asyncio.sleep(0.002)
    raise AssertionError("the worker was never caught in the middle of a fan-out")


async def test_poll_and_page_back_see_every_post_once_while_a_worker_is_frozen(
    cluster: Cluster, observer: Runtime
) -> None:
    cast = await make_cast(observer, FOLLOWERS, readers=1)
    (reader_user,) = cast.readers
    wait = Waiting(cluster, observer)

    async def reader_has(posted: Sequence[str]) -> bool:
        return not await missing_from_home(observer, reader_user.account.id, ids(posted))

    posted: list[str] = []
    settled = asyncio.Event()
    async with httpx.AsyncClient(timeout=30) as http:
        servers, (frozen, _), (frozen_name, _) = await start(cluster, observer, http, cast)
        reader = Reader(http, servers, reader_user.headers)
        assert await reader.everything() == []  # reading makes the timeline live
        reading = asyncio.create_task(reader.follow_along(settled))
        writers = [Writer(http, servers, author, posted) for author in cast.writers]

        # Everyone posts; the freeze lands mid fan-out; everyone posts some more.
        freezing = asyncio.create_task(
            freeze_mid_fan_out(observer, cast, frozen, frozen_name, reader_user)
        )

        async def keep_posting(writer: Writer) -> None:
            n = 0
            while not freezing.done():
                await writer.post(f"before the freeze {n}")
                n += 1
            # The post being fanned out when the worker froze reaches the reader without
            # it (see the module docstring), later than newer posts and among them.
            held_back = [str(freezing.result().status_id)]
            deadline = time.monotonic() + DEADLINE
            n = 0
            while n < POSTS_WHILE_FROZEN or not await reader_has(held_back):
                assert time.monotonic() < deadline, await queue_state(observer)
                await writer.post(f"while a worker is frozen {n}")
                await asyncio.sleep(0.2)
                n += 1

        await asyncio.gather(*(keep_posting(writer) for writer in writers))
        caught = await freezing

        await wait.until("the reader has every post", lambda: reader_has(posted))
        await wait.until("no job is owed", lambda: _none(outbox_ids(observer)))
        # Still stopped: the jobs it held were run without it. (Whether the stream's
        # redelivery has by now also taken the job from it, 10 s idle, depends on how
        # long a loaded machine took to get here; it was holding it when it froze.)
        assert frozen.paused and frozen.popen.poll() is None

        frozen.resume()
        for writer in writers:
            for n in range(POSTS_AFTER_THAW):
                await writer.post(f"after the thaw {n}")

        # Every fan-out has finished: every follower has every post of the writer they
        # follow, and no job is owed.
        await wait.until("the reader has every post", lambda: reader_has(posted))
        await wait.until(
            "followers have every post", lambda: all_delivered(observer, cast, writers)
        )
        await wait.until("no job is owed", lambda: _none(outbox_ids(observer)))
        settled.set()
        await reading

        assert caught.status_id in ids(posted)
        repeated = sorted({s for s in reader.seen if reader.seen.count(s) > 1})
        assert not repeated, f"polling and paging back showed these more than once: {repeated}"
        assert set(reader.seen) == set(posted), f"missed: {set(posted) - set(reader.seen)}"
        whole = await reader.everything()
        assert sorted(whole) == sorted(posted), "the whole timeline shows each post once"


async def test_flushing_redis_while_people_post_and_read_loses_no_post(
    cluster: Cluster, observer: Runtime, redis_url: str
) -> None:
    cast = await make_cast(observer, followers=10, readers=3)
    wait = Waiting(cluster, observer)

    async def has_all(user: User, posted: Sequence[str]) -> bool:
        return not await missing_from_home(observer, user.account.id, ids(posted))

    prefix = observer.settings.redis_prefix
    posted: list[str] = []
    settled = asyncio.Event()
    async with httpx.AsyncClient(timeout=30) as http:
        servers, _, _ = await start(cluster, observer, http, cast)
        readers = [Reader(http, servers, r.headers) for r in cast.readers]
        for reader in readers:
            assert await reader.everything() == []
        reading = [asyncio.create_task(r.follow_along(settled)) for r in readers]
        writers = [Writer(http, servers, author, posted) for author in cast.writers]
        flushes = 0

        async def keep_posting(writer: Writer) -> None:
            n = 0
            while flushes < 2 or n < POSTS_EACH:
                await writer.post(f"post {n}")
                n += 1

        async def under_way(count: int) -> bool:
            """Some posts made, and a fan-out queued or running."""
            return len(posted) >= count and bool(await outbox_ids(observer))

        async def flush_twice() -> None:
            nonlocal flushes
            for after in (10, 25):
                await wait.until(
                    f"{after} posts, one fanning out", partial(under_way, after), 0.005
                )
                assert delete_keys(redis_url, f"{prefix}*") > 0
                flushes += 1

        await asyncio.gather(flush_twice(), *(keep_posting(writer) for writer in writers))
        assert flushes == 2
        for user in cast.readers:
            await wait.until("every reader has every post", partial(has_all, user, posted))
        await wait.until("no job is owed", lambda: _none(outbox_ids(observer)))
        settled.set()
        await asyncio.gather(*reading)  # every read answered 200
        for reader in readers:
            # A poll across a flush may show the last minute again (timelines/rebuild.py),
            # but nothing is lost, and the timeline itself holds each post once.
            assert set(reader.seen) >= set(posted), f"missed: {set(posted) - set(reader.seen)}"
            whole = await reader.everything()
            assert sorted(whole) == sorted(posted)
        # Followers who were not reading get their timeline back on their next read.
        factory = Factory(observer)
        for writer in writers:
            follower = cast.followers[writer.author.account.id][0]
            token = await token_for(observer, factory, follower)
            assert sorted(await Reader(http, servers, token).everything()) == sorted(writer.mine)


async def all_delivered(observer: Runtime, cast: Cast, writers: list[Writer]) -> bool:
    """Whether every writer's own followers have every post of theirs."""
    for writer in writers:
        owners = cast.followers[writer.author.account.id]
        for status_id in ids(writer.mine):
            if await delivered(observer, owners, status_id) != len(owners):
                return False
    return True


def claim_key(observer: Runtime, job_id: int) -> str:
    """The Redis lock a worker holds while it runs a job (jobs/queue.py)."""
    return lock_key(observer.settings.redis_prefix, job_id)


def ids(posted: Sequence[str]) -> list[int]:
    return [int(status_id) for status_id in posted]


class Waiting:
    def __init__(self, cluster: Cluster, observer: Runtime) -> None:
        self.cluster = cluster
        self.observer = observer

    async def until(
        self, what: str, check: Callable[[], Awaitable[bool]], every: float = 0.05
    ) -> None:
        deadline = time.monotonic() + DEADLINE
        while not await check():
            if time.monotonic() > deadline:
                state = await queue_state(self.observer)
                raise AssertionError(f"timed out: {what}\n{state}\n{self.cluster.logs()}")
            await asyncio.sleep(every)


async def queue_state(observer: Runtime) -> str:
    """What is owed and who holds what, for a failure message."""
    assert observer.redis is not None
    prefix = observer.settings.redis_prefix
    async with observer.db.read() as session:
        rows = (await session.execute(select(OutboxJob))).scalars().all()
    owed = [(r.id, r.kind, r.payload, r.attempts, r.next_attempt_at, r.last_error) for r in rows]
    try:
        pending = await observer.redis.xpending_range(
            stream_key(prefix), group_name(prefix), min="-", max="+", count=100
        )
    except redis.ResponseError as exc:
        pending = [{"error": str(exc)}]
    claims = [
        key async for key in observer.redis.scan_iter(match=f"{stream_key(prefix)}:running:*")
    ]
    return f"outbox: {owed}\nunacknowledged: {pending}\nclaims: {claims}"


async def _none(value: Awaitable[Sequence[int] | set[int]]) -> bool:
    return not await value
