"""Roost on a real Redis Cluster (3 masters, 3 replicas, started for this module; see
tests/redis_cluster.py): the keys of many people lie on every master, and posting,
following, home and public timelines, kept pages and streams all work across them; a
master lost is replaced by its replica and Roost goes on without a restart, losing
nothing that was posted."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import redis
from redis.asyncio import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import EqualJitterBackoff

from roost.core import redis as core_redis
from roost.core.breaker import REDIS_DOWN, Breaker
from roost.core.cluster_breaker import ClusterUnavailable, GuardedCluster
from roost.core.redis import mget, slot
from roost.jobs.queue import QueueJobRunner, lock_key, stream_key
from roost.runtime import Runtime
from roost.streaming.bus import channel_prefix
from roost.timelines import redis_store
from roost.timelines.redis_store import RedisTimelineStore
from roost.timelines.store import Delivery
from tests.conftest import AppClient
from tests.factories import Factory, User
from tests.proxy import Proxy
from tests.redis_cluster import LocalCluster, local_cluster
from tests.timelines.helpers import ids, post

pytestmark = pytest.mark.timeout(120)

WAIT = 20.0  # seconds: a failover takes a few (cluster-node-timeout 1 s, the election)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    with local_cluster(Path(tmp_path_factory.mktemp("redis-cluster"))) as made:
        yield made


@asynccontextmanager
async def on_cluster(
    app_client: AppClient, cluster: LocalCluster, **changes: object
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    async with app_client(redis_url=cluster.url, redis_cluster=True, **changes) as made:
        yield made


def masters(cluster: LocalCluster) -> set[int]:
    return {port for port, (role, _) in cluster.roles().items() if role == "master"}


def holders(cluster: LocalCluster, key: str) -> list[int]:
    """The masters that answer for ``key`` holding it: asked one by one, each its own
    connection (a master answers MOVED for a key of another's slot)."""
    found = []
    for port in masters(cluster):
        with cluster.node(port).client() as client:
            try:
                if client.exists(key):
                    found.append(port)
            except redis.ResponseError:  # MOVED: not this master's slot
                pass
    return found


async def spread_cast(runtime: Runtime, factory: Factory, each: int) -> list[User]:
    """People whose home timelines lie on every master, at least ``each`` on each (their
    ids are snowflakes: made until the slots fall so)."""
    assert isinstance(runtime.redis, RedisCluster)
    assert isinstance(runtime.timelines, RedisTimelineStore)
    await runtime.redis.initialize()
    by_node: dict[str, list[User]] = {}
    made: list[User] = []
    while len(by_node) < 3 or min(len(users) for users in by_node.values()) < each:
        assert len(made) < 100, "the slots never fell on every master"
        user = await factory.user(f"reader{len(made)}")
        made.append(user)
        node = runtime.redis.get_node_from_key(runtime.timelines.keys(user.account.id)[0])
        assert node is not None
        by_node.setdefault(node.name, []).append(user)
    return made


async def follow(client: httpx.AsyncClient, follower: User, target: User) -> None:
    response = await client.post(f"/api/v1/accounts/{target.id}/follow", headers=follower.headers)
    assert response.status_code == 200, response.text
    assert response.json()["following"] is True


async def until_every_home_has(
    client: httpx.AsyncClient, readers: list[User], posted: list[str]
) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    for reader in readers:
        while True:
            home = await ids(client, reader.headers, limit=40)
            if sorted(home) == sorted(posted):
                break
            assert asyncio.get_running_loop().time() < deadline, (reader.id, home, posted)
            await asyncio.sleep(0.1)


async def test_people_on_every_master_follow_post_read_and_stream(
    app_client: AppClient, cluster: LocalCluster
) -> None:
    async with on_cluster(app_client, cluster) as (client, runtime):
        factory = Factory(runtime)
        author = await factory.user("author")
        readers = await spread_cast(runtime, factory, each=2)
        for reader in readers:
            await follow(client, reader, author)  # the follow path: versions, timelines
            assert await ids(client, reader.headers) == []  # read: the timeline is live
        channels = [f"user:{reader.id}" for reader in readers]
        async with runtime.bus.subscribe(channels) as stream:
            first = await post(client, author, "on every master")
            await runtime.jobs.drain()
            told: set[str] = set()
            while told != set(channels):
                event = await stream.get(wait=WAIT)
                assert event is not None, f"no update on {set(channels) - told}"
                channel, message = event
                assert message == {"event": "update", "id": first}
                told.add(channel)
        second = await post(client, author, "and again")
        await runtime.jobs.drain()
        for reader in readers:
            assert await ids(client, reader.headers) == [second, first]
            # Read again: the kept page, checked slot by slot.
            assert await ids(client, reader.headers) == [second, first]
        public = await client.get("/api/v1/timelines/public", headers=readers[0].headers)
        assert [status["id"] for status in public.json()] == [second, first]

        # The timelines really are on three masters, each on one.
        assert isinstance(runtime.timelines, RedisTimelineStore)
        places = [holders(cluster, runtime.timelines.keys(r.account.id)[0]) for r in readers]
        assert all(len(place) == 1 for place in places)
        assert {place[0] for place in places} == masters(cluster)


async def test_the_breaker_opens_only_when_no_node_answers(cluster: LocalCluster) -> None:
    """The cluster's breaker (core/cluster_breaker.py), each node reached through a proxy
    of its own: one master silent leaves it closed, the others' keys answer; every node
    silent opens it, once each master failed or once a lone call's failure found no node
    answering a PING, after which nothing is sent until a probe in the background (the
    first call refused after the cool-off starts it) finds a node answering again."""
    proxies = {port: Proxy("127.0.0.1", port) for port in cluster.roles()}
    for proxy in proxies.values():
        await proxy.start()

    def through_proxy(address: tuple[str, int]) -> tuple[str, int]:
        proxy = proxies.get(address[1])
        return ("127.0.0.1", proxy.port) if proxy is not None else address

    now = [1000.0]
    breaker = Breaker(cool_off=1.0, clock=lambda: now[0])
    redis = GuardedCluster(
        host="127.0.0.1",
        port=next(iter(proxies.values())).port,  # the client never reaches a node directly
        breaker=breaker,
        address_remap=through_proxy,
        socket_timeout=0.3,
        # A silent proxy still accepts connections (only reads time out), so the connect
        # timeout is only a bound: at 0.3 s a loaded machine failed the first connect.
        socket_connect_timeout=3.0,
        retry=Retry(EqualJitterBackoff(cap=0.1, base=0.01), 3),
    )
    by_proxy = {proxy.port: proxy for proxy in proxies.values()}
    keys: dict[int, str] = {}  # a key on each master, by its proxy's port

    async def settled() -> None:
        """Until the PINGs of a check or probe under way are done."""
        if redis.guard.asking is not None:
            await redis.guard.asking

    async def probed() -> None:
        """The cool-off over, a call is refused and starts a probe; until it is done."""
        now[0] += 1.0
        with pytest.raises(ClusterUnavailable):
            await redis.get(keys[silent])
        assert redis.guard.asking is not None
        await settled()

    try:
        await redis.initialize()
        number = 0
        while len(keys) < 3:
            key = f"roost-test:breaker:{number}"
            node = redis.get_node_from_key(key)
            assert node is not None
            keys.setdefault(int(node.port), key)
            number += 1
        for key in keys.values():
            await redis.set(key, key, ex=60)

        silent, *others = keys
        by_proxy[silent].silence()
        with pytest.raises(REDIS_DOWN):
            await redis.get(keys[silent])
        await settled()  # its failure made the client check every node: the others answer
        assert not breaker.is_open
        for port in others:
            assert await redis.get(keys[port]) == keys[port].encode()
        await by_proxy[silent].restore()
        assert await redis.get(keys[silent]) == keys[silent].encode()

        # Every node silent, calls to every master at once: open once each has failed.
        for proxy in proxies.values():
            proxy.silence()
        outcomes = await asyncio.gather(
            *(redis.get(key) for key in keys.values()), return_exceptions=True
        )
        assert all(isinstance(outcome, REDIS_DOWN) for outcome in outcomes), outcomes
        assert breaker.is_open
        await settled()
        sent = sum(proxy.received for proxy in proxies.values())
        for key in keys.values():
            with pytest.raises(ClusterUnavailable):
                await redis.get(key)
            with pytest.raises(ClusterUnavailable):
                async with redis.pipeline(transaction=False) as pipe:
                    await pipe.get(key).execute()
        assert sum(proxy.received for proxy in proxies.values()) == sent  # nothing sent

        await probed()
        assert breaker.is_open  # no node answered the probe
        for proxy in proxies.values():
            await proxy.restore()
        await probed()
        assert not breaker.is_open
        for key in keys.values():
            assert await redis.get(key) == key.encode()

        # Every node silent again, one lone call (past the checks' one-a-period): its
        # failure starts a check, which no node answers.
        await asyncio.sleep(breaker.cool_off)
        for proxy in proxies.values():
            proxy.silence()
        with pytest.raises(REDIS_DOWN):
            await redis.get(keys[silent])
        await settled()
        assert breaker.is_open
        for proxy in proxies.values():
            await proxy.restore()
        await probed()
        assert not breaker.is_open
        assert await redis.get(keys[silent]) == keys[silent].encode()
    finally:
        if keys:
            with contextlib.suppress(*REDIS_DOWN):
                await redis.delete(*keys.values())
        await redis.aclose()
        for proxy in proxies.values():
            await proxy.stop()


async def test_a_lost_master_is_replaced_and_nothing_posted_is_lost(
    app_client: AppClient, cluster: LocalCluster
) -> None:
    # This process posts; nobody runs the jobs until the master holding the job stream
    # is gone: the fan-outs of the first posts are in flight on it when it dies.
    async with on_cluster(app_client, cluster, serve_runs_jobs=False, sweep_after_seconds=1) as (
        client,
        runtime,
    ):
        factory = Factory(runtime)
        author = await factory.user("poster")
        readers = await spread_cast(runtime, factory, each=1)
        for reader in readers:
            await follow(client, reader, author)
            assert await ids(client, reader.headers) == []
        posted = [await post(client, author, f"before {n}") for n in range(3)]

        prefix = runtime.settings.redis_prefix
        (lost,) = holders(cluster, stream_key(prefix))
        replica = next(
            port for port, (role, of) in cluster.roles().items() if role == "replica" and of == lost
        )
        channels = [f"user:{reader.id}" for reader in readers]
        async with runtime.bus.subscribe(channels) as stream:
            cluster.stop_node(lost)  # a crash: SIGKILL
            cluster.wait_until_healthy()  # the replica is promoted
            assert cluster.roles()[replica] == ("master", None)
            assert lost not in cluster.roles()

            # The same process, not restarted, goes on: posts, then runs every job (the
            # sweep re-drives any whose message was lost with the master).
            posted += [await post(client, author, f"after {n}") for n in range(3)]
            assert isinstance(runtime.jobs, QueueJobRunner)
            runtime.jobs.consume()
            runtime.jobs.start_sweeping(0.2)
            await runtime.jobs.drain()
            await until_every_home_has(client, readers, posted)

            # The streams' subscriptions moved with their slots to the promoted master:
            # every reader's stream is told of a post made now.
            await until_subscribed(cluster, [channel_prefix(prefix) + c for c in channels])
            posted.append(await post(client, author, "last"))
            await runtime.jobs.drain()
            told: set[str] = set()
            while told != set(channels):
                event = await stream.get(wait=WAIT)
                assert event is not None, f"no update on {set(channels) - told}"
                if event[1] == {"event": "update", "id": posted[-1]}:
                    told.add(event[0])
        await until_every_home_has(client, readers, posted)
        # The queue's locks share the stream's slot, so its master: lost with it, and
        # taken over with it.
        assert slot(stream_key(prefix)) == slot(lock_key(prefix, 1))


async def until_subscribed(cluster: LocalCluster, names: list[str]) -> None:
    """Until each of these sharded channels has a subscriber on a live master."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while True:
        counts = dict.fromkeys(names, 0)
        for port in masters(cluster):
            with cluster.node(port).client() as client:
                for name, count in client.pubsub_shardnumsub(*names):
                    counts[name.decode()] += int(count)
        if all(counts.values()):
            return
        assert asyncio.get_running_loop().time() < deadline, counts
        await asyncio.sleep(0.1)


async def test_a_batch_sent_to_a_node_that_lacks_some_slots_is_delivered_by_slot(
    app_client: AppClient, cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fan-out batch goes to each master as one call; when the client's slot map is
    stale (a slot moved since it was read), the node refuses the keys it lacks and the
    batch is delivered again slot by slot, nothing twice."""
    async with on_cluster(app_client, cluster) as (_, runtime):
        store = runtime.timelines
        assert isinstance(store, RedisTimelineStore) and runtime.redis is not None
        owners = list(range(10**17, 10**17 + 60))
        for owner in owners[:40]:  # live: a head; the rest idle
            await runtime.redis.set(store.keys(owner)[2], 1, ex=60)

        async def stale(client: object, items: list[int], key: object) -> list[list[int]]:
            return [items]  # the whole batch to one master, as by an outdated slot map

        monkeypatch.setattr(redis_store, "group_by_node", stale)
        delivered = await store.deliver(owners, Delivery(status_id=77, author_id=1))
        assert delivered == owners[:40]
        assert await store.deliver(owners, Delivery(status_id=77, author_id=1)) == []
        for owner in owners:
            score = await runtime.redis.zscore(store.keys(owner)[0], 77)
            assert (score is not None) == (owner in owners[:40])
        # The batch really spanned masters (else nothing was refused).
        places = {holders(cluster, store.keys(owner)[0])[0] for owner in owners[:40]}
        assert places == masters(cluster)


async def test_keys_of_every_master_are_read_node_by_node(
    app_client: AppClient, cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mget`` (the caches, the kept-page check) reads keys of many slots with one call
    per master, in order, None where missing; a group sent on a stale slot map is
    refused by the node that lacks its keys and read again slot by slot."""
    async with on_cluster(app_client, cluster) as (_, runtime):
        client = runtime.redis
        assert client is not None
        keys = [f"{runtime.settings.redis_prefix}mget:{n}" for n in range(60)]
        for key in keys[::2]:
            await client.set(key, key)
        assert {holders(cluster, key)[0] for key in keys[::2]} == masters(cluster)
        expected = [key.encode() if n % 2 == 0 else None for n, key in enumerate(keys)]
        assert await mget(client, keys) == expected

        async def stale(client: object, items: list[int], key: object) -> list[list[int]]:
            return [items]  # every key to one master, as by an outdated slot map

        monkeypatch.setattr(core_redis, "group_by_node", stale)
        assert await mget(client, keys) == expected
        await client.delete(*keys[::2])
