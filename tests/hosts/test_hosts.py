"""Faults across three hosts, with load running through the balancer.

The topology (deploy/topology.py): three network namespaces on one bridge, each running
``roost serve`` and ``roost worker``; the PostgreSQL primary on host 1 and its streaming
replica on host 3 (Roost's URL names both, ``target_session_attrs=read-write``); one
Redis on host 1, or a Redis Cluster with a master and another host's replica on each
host; haproxy in front, checking ``/health/ready``.

During each fault three writers post through the balancer, retrying a failed post with
the same Idempotency-Key until it answers 200, and three readers read their home
timelines. Each test states the errors the fault caused (by request and answer), that
all of them fell within ``RECOVERY`` seconds of the fault (the service answered again
through the balancer), and that afterwards every post that answered 200 is in its
author's statuses, the author's home and every follower's home exactly once, with
nothing else there: 0 posts lost, 0 repeated. The measured figures are printed
(``pytest -s``) and in the spec.

Every test runs on one Redis and on the Redis Cluster, except the loss of the master
that holds the job stream (a cluster's only).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from deploy.topology import PRIMARY_HOST, REPLICA_HOST, Topology
from redis.asyncio import Redis, RedisCluster

from roost.core.ids import id_to_unix_ms
from roost.jobs.queue import stream_key
from tests.hosts.load import Load, make_cast, missing_or_repeated

pytestmark = pytest.mark.timeout(300)

SINGLE = pytest.param("single", id="one-redis")
CLUSTER = pytest.param("cluster", id="redis-cluster")
RECOVERY = 20.0  # seconds from a fault until the service answers posts and reads again
OUTAGE = 3.0  # seconds with no PostgreSQL primary before the replica is promoted
CUT = 10.0  # seconds Redis is unreachable
SETTLE = 60.0  # seconds the fan-out of the last posts may take to reach every home
ROOST_PREFIX = "roost:"  # the topology leaves ROOST_REDIS_PREFIX at its default


class Running:
    """The load, running in the background until ``finish``."""

    def __init__(self, load: Load) -> None:
        self.load = load
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(load.run(self.stop))

    async def until(self, what: str, done: Callable[[], bool], within: float) -> float:
        """Wait until ``done()``; when it happened (time.monotonic())."""
        deadline = time.monotonic() + within
        while not done():
            assert not self.task.done(), self.task.exception()
            assert time.monotonic() < deadline, f"{within:.0f} s passed without {what}"
            await asyncio.sleep(0.05)
        return time.monotonic()

    async def posts_after(self, moment: float, what: str, within: float = RECOVERY) -> float:
        """Until every writer had posts answer 200 after ``moment`` (three each, on
        average): the service takes writes through the balancer."""
        count = 3 * len(self.load.writers)
        return await self.until(what, lambda: self.load.posts_since(moment) >= count, within)

    async def finish(self) -> None:
        self.stop.set()
        await self.task


async def start_load(topology: Topology, tag: str) -> Running:
    writers, readers = await make_cast(topology.base_url, tag)
    running = Running(Load(topology.base_url, writers, readers))
    await running.posts_after(0.0, "posts before the fault", within=60)
    return running


def state(load: Load, fault: str, at: float) -> str:
    """What a fault cost, as the test reports it: the errors, the time from the fault
    to the last of them and to the first post answered after it."""
    last = max((f.at for f in load.failures), default=at) - at
    first = min((t for t in load.answered_at.values() if t > at), default=at) - at
    return (
        f"{fault}: errors {dict(load.errors()) or 'none'}, the last {last:.1f} s after it; "
        f"the first post answered {first:.1f} s after it; "
        f"{len(load.answered_at)} posts, {len(load.read_at)} home reads in all"
    )


def check_errors(load: Load, at: float) -> None:
    """No error before the fault, and none later than ``RECOVERY`` after it."""
    before = [f for f in load.failures if f.at < at]
    assert before == [], f"errors before the fault: {before}"
    late = [f for f in load.failures if f.at > at + RECOVERY]
    assert late == [], f"errors more than {RECOVERY:.0f} s after the fault: {late}"
    assert load.repeated_in_a_page == [], "a home page showed a post twice"


@pytest.mark.parametrize("topology", [SINGLE, CLUSTER], indirect=True)
async def test_a_host_dies_and_the_service_goes_on(topology: Topology) -> None:
    """Host 3 dies (SIGKILL to all it runs: roost serve, roost worker, the PostgreSQL
    replica, and on a cluster a Redis master and another master's replica). The balancer
    takes it out; a request in flight on it fails (its connection cut, or a 502) and a
    post is retried with its key; the jobs its worker held are re-driven by the outbox
    sweep. Then it starts again and the balancer sends to it again."""
    running = await start_load(topology, "a")
    try:
        killed_at = time.monotonic()
        await asyncio.to_thread(topology.kill_host, 3)
        await running.posts_after(killed_at, "posts after host 3 died")
        await asyncio.to_thread(topology.wait_balanced, (1, 2), RECOVERY)
        if topology.cluster:
            await asyncio.to_thread(topology.wait_cluster_serving, RECOVERY)
        await asyncio.to_thread(topology.start_host, 3)
        await asyncio.to_thread(topology.wait_balanced, (1, 2, 3))
        back = time.monotonic()
        await running.posts_after(back, "posts after host 3 came back")
    finally:
        await running.finish()
    load = running.load
    print(state(load, "host 3 killed", killed_at))
    check_errors(load, killed_at)
    assert await missing_or_repeated(load, deadline=SETTLE) == {}, "posts lost or repeated"


@pytest.mark.parametrize("topology", [CLUSTER], indirect=True)
async def test_the_redis_master_holding_the_job_stream_dies(topology: Topology) -> None:
    """The Redis Cluster master that holds the job stream is killed. Its replica (on
    another host) takes over its slots after the node timeout (2 s; 3.4-4.5 s measured
    in all); until then that slot's keys answer errors, and jobs queued on the lost
    master but not yet replicated are re-driven from SQL by the outbox sweep."""
    await asyncio.to_thread(topology.wait_cluster_serving, RECOVERY)
    host, port = await asyncio.to_thread(topology.redis_master_of, stream_key(ROOST_PREFIX))
    running = await start_load(topology, "c")
    try:
        killed_at = time.monotonic()
        address = topology.layout.address(host)
        await asyncio.to_thread(topology.kill_process, host, f"redis-server {address}:{port}")
        await running.posts_after(killed_at, "posts after the master died")
        await asyncio.to_thread(topology.wait_cluster_serving, RECOVERY)
        # It rejoins as its replica's replica and takes its place back (CLUSTER FAILOVER).
        await asyncio.to_thread(topology.start_redis, host, port)
    finally:
        await running.finish()
    load = running.load
    print(state(load, f"Redis master h{host}:{port} killed", killed_at))
    assert topology.redis_master_of(stream_key(ROOST_PREFIX)) == (host, port)  # handed back
    check_errors(load, killed_at)
    assert await missing_or_repeated(load, deadline=SETTLE) == {}, "posts lost or repeated"


@pytest.mark.parametrize("topology", [SINGLE, CLUSTER], indirect=True)
async def test_redis_unreachable_for_10_s(topology: Topology) -> None:
    """Every packet sent to Redis is dropped for ``CUT`` seconds (on a cluster: to all
    six nodes, whose bus still joins them), as when the network between Roost and Redis
    fails: no connection is refused, commands go unanswered. The breaker opens (on a
    cluster once no node answers: core/cluster_breaker.py) and reads answer from SQL: a
    reader's home shows a post made during the cut although its fan-out waits for
    Redis. A post that committed answers 200 (its side effects in Redis are done again
    from SQL once Redis is back); one may answer 503 only if it did not commit, so the
    post its retry made is younger than that answer. Once Redis is back the outbox
    sweep delivers the posts of the cut into every reader's Redis timeline."""
    running = await start_load(topology, "d")
    load = running.load
    try:
        cut_at = time.monotonic()
        try:
            await asyncio.to_thread(topology.cut_redis)
            await asyncio.sleep(CUT)
        finally:
            await asyncio.to_thread(topology.mend_redis)
        mended_at = time.monotonic()
        await running.posts_after(mended_at, "posts after Redis came back")
        made = load.posts_between(0.0, mended_at)
        delivered_at = await delivered(topology, load, made, within=SETTLE)
    finally:
        await running.finish()
    during = load.posts_between(cut_at, mended_at)
    wrong = await missing_or_repeated(load, deadline=SETTLE)
    print(state(load, f"Redis unreachable for {CUT:.0f} s", cut_at))
    print(
        f"during the cut: {len(during)} posts, {load.reads_between(cut_at, mended_at)} home "
        f"reads answered; every post made before Redis came back was in every reader's "
        f"Redis home {delivered_at - mended_at:.1f} s after it came back; "
        f"lost or repeated: {wrong or 'none'}"
    )
    reads_failed = [f for f in load.failures if f.what == "read"]
    assert reads_failed == [], "a home read failed while Redis was unreachable"
    assert load.reads_between(cut_at, mended_at) >= len(load.readers)
    assert any(load.first_seen.get(i, mended_at) < mended_at for i in during), (
        "no post of the cut showed in a home before Redis came back (homes read from SQL)"
    )
    assert [f for f in load.failures if f.outcome == "500"] == [], "a request answered 500"
    made_before_503 = [
        i for i, at in load.unavailable_before.items() if id_to_unix_ms(int(i)) / 1000 <= at
    ]
    assert made_before_503 == [], "a post answered 503 although it had been made"
    check_errors(load, cut_at)
    assert wrong == {}, "posts lost or repeated"


async def delivered(topology: Topology, load: Load, posts: list[str], within: float) -> float:
    """Wait until every reader's home timeline in Redis holds each of ``posts`` (the
    fan-out reached it); when that was (time.monotonic())."""
    redis: Redis | RedisCluster = (
        RedisCluster.from_url(topology.redis_url)
        if topology.cluster
        else Redis.from_url(topology.redis_url)
    )
    deadline = time.monotonic() + within
    try:
        while True:
            missing = 0
            for reader in load.readers:
                scores = await redis.zmscore(home_key(reader.id), posts)
                missing += scores.count(None)
            if not missing:
                return time.monotonic()
            assert time.monotonic() < deadline, f"{missing} deliveries not in Redis"
            await asyncio.sleep(0.2)
    finally:
        await redis.aclose()


def home_key(owner_id: str) -> str:
    """The key of a home timeline in Redis (timelines/redis_store.py)."""
    return f"{ROOST_PREFIX}tl:{{{owner_id}}}"


@pytest.mark.parametrize("topology", [SINGLE, CLUSTER], indirect=True)
async def test_the_postgresql_replica_is_promoted(topology: Topology) -> None:
    """The primary (host 1) is stopped (a fast shutdown: it sends the replica all its
    WAL first) and the replica (host 3) promoted by hand (``pg_ctl promote``). Until
    then writes and readiness fail (the balancer has no ready host: 503); afterwards
    Roost's processes connect to the new primary by themselves, without a restart.
    Asynchronous replication loses nothing here because the primary stopped cleanly;
    a primary that crashes can lose its last commits (the spec says so)."""
    await asyncio.to_thread(topology.wait_replica_streaming)
    running = await start_load(topology, "b")
    try:
        stopped_at = time.monotonic()
        await asyncio.to_thread(topology.stop_postgres, PRIMARY_HOST)
        await asyncio.sleep(OUTAGE)  # the time a person (or Patroni) takes to promote
        await asyncio.to_thread(topology.promote_postgres, REPLICA_HOST)
        await running.posts_after(stopped_at, "posts after the promotion")
    finally:
        await running.finish()
    load = running.load
    print(state(load, "PostgreSQL primary stopped, replica promoted", stopped_at))
    assert topology.pg_query(REPLICA_HOST, "SELECT pg_is_in_recovery()") == "f"
    check_errors(load, stopped_at)
    assert await missing_or_repeated(load, deadline=SETTLE) == {}, "posts lost or repeated"
