"""The event bus that open streams listen on.

Services publish small messages (ids only) on named channels once their data has
committed; every open stream subscribes to the channels it shows and renders
each message for its own subscriber (see ``streams.py``).

Two implementations, chosen by the runtime:

- ``LocalBus``: in-process, for the embedded mode (one process).
- ``RedisBus``: Redis pub/sub, so that a post made on one API process reaches a
  stream held open on another. Each process holds one Redis connection for all
  of its streams: it subscribes to a channel while at least one of its streams
  wants it, and hands each message to those streams in memory.

The channels are Redis's *sharded* channels (SSUBSCRIBE, SPUBLISH), named
``<prefix>{stream}:<channel>``: every channel of a deployment carries the hash tag
``{stream}``, so on a Redis Cluster they all live in ONE slot, on one master (and its
replica), as on a single Redis. That keeps what one Redis gave: a process reads all
its streams' events over one connection, in the order Redis received them (with the
channels spread over several masters, a delete could overtake the update it deletes,
being read from another node first), and every call below names one slot. The price:
the cluster does not spread pub/sub; one master carries all of it, as one Redis did.
After a failover redis-py moves the subscriptions to the promoted replica (its
``ClusterPubSub`` follows the slot map).

A fan-out tells every person a post was new to (up to ``fanout_batch`` at a time)
with ``publish_each``: one message, many channels. That is ONE script call that asks
Redis which of those channels have a subscriber (``PUBSUB SHARDNUMSUB``) and
SPUBLISHes only to those; on a cluster it runs on the channels' master (its KEYS name
the channels' slot). Who has a stream open is thus never kept anywhere but in Redis's
own table of subscriptions: a stream held open on any API process counts the moment
Redis confirms its SSUBSCRIBE (``subscribe`` returns only then), so the check and the
SPUBLISH, atomic in one script, miss no event a plain SPUBLISH would have delivered.
After Redis is lost, nothing needs rebuilding: redis-py re-subscribes each process's
channels when it reconnects, and the script is loaded again on NOSCRIPT. (Pattern
subscriptions are not counted by SHARDNUMSUB; Roost makes none.)

Measured for 1,000 channels of which 10 have a subscriber (one process, hiredis; with
PUBLISH and NUMSUB, before the bus moved to sharded channels;
the fan-out's deliver script takes ~7.5 ms for the same 1,000 owners):

- one PUBLISH per channel, pipelined (before): ~17-20 ms, nearly all of it
  redis-py packing and parsing 1,000 commands;
- one script PUBLISHing to every channel: ~1.6-3 ms, ~1 us of Redis time per
  channel, and every PUBLISH is also propagated to replicas;
- one script PUBLISHing only where NUMSUB counts a subscriber (chosen): ~0.8-1 ms,
  the names sent as one newline-joined argument; Redis time ~0.3 us per channel,
  nothing propagated for the channels nobody listens to.

The alternative of a registry of open streams (a Redis set kept by the API
processes) was not built: it would have to be cleaned after a process dies and
rebuilt after Redis is lost, which the subscription table does by itself.

A subscriber that falls too far behind (``MAX_PENDING`` unread events) is cut
off: its iterator ends, the client reconnects, and nothing grows without bound.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio.client import PubSub
from redis.asyncio.cluster import ClusterPubSub

from roost.core.breaker import REDIS_FAILED
from roost.core.redis import Client
from roost.core.scripts import Script

log = logging.getLogger(__name__)

# What a subscription's loops outlive (they wait and try again): any failure of Redis's
# (REDIS_FAILED: on a cluster, its client's give-ups too) and a lost socket.
RETRIED: tuple[type[Exception], ...] = (*REDIS_FAILED, OSError)

Message = dict[str, Any]
Event = tuple[str, Message]

MAX_PENDING = 1000
SUBSCRIBE_TIMEOUT = 5.0
# Channels per script call of ``publish_each``: keeps Redis busy well under a millisecond.
PUBLISH_BATCH = 1000

PUBLISH_LISTENED = r"""
-- KEYS[1]: the channel prefix, naming the channels' slot (a cluster routes by it).
-- ARGV: channel prefix, message, channel names joined by newlines. SPUBLISHes the
-- message on each channel that has a subscriber now; returns how many it did.
local prefix, message = ARGV[1], ARGV[2]
local names = {}
for name in string.gmatch(ARGV[3], '[^\n]+') do names[#names + 1] = prefix .. name end
local sent = 0
for first = 1, #names, 500 do
  local counts = redis.call('PUBSUB', 'SHARDNUMSUB',
    unpack(names, first, math.min(first + 499, #names)))
  for i = 2, #counts, 2 do
    if counts[i] > 0 then
      redis.call('SPUBLISH', counts[i - 1], message)
      sent = sent + 1
    end
  end
end
return sent
"""


class Subscription:
    """One listener: the channels it wants and the events it has not read yet.

    Iterate it (``async for channel, message in subscription``) or call ``get``.
    ``add`` and ``remove`` change its channels while it is open (WebSocket streams).
    """

    def __init__(self, bus: Bus) -> None:
        self._bus = bus
        self._channels: set[str] = set()
        self._pending: deque[Event] = deque()
        self._ready = asyncio.Event()
        self.closed = False

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(self._channels)

    async def add(self, *channels: str) -> None:
        if self.closed:
            return
        new = [c for c in dict.fromkeys(channels) if c not in self._channels]
        self._channels.update(new)
        await self._bus._attach(self, new)

    def remove(self, *channels: str) -> None:
        gone = [c for c in dict.fromkeys(channels) if c in self._channels]
        self._channels.difference_update(gone)
        self._bus._detach(self, gone)

    def _offer(self, event: Event) -> None:
        if self.closed:
            return
        if len(self._pending) >= MAX_PENDING:
            log.warning("a stream fell %s events behind; closing it", MAX_PENDING)
            self._close()
            return
        self._pending.append(event)
        self._ready.set()

    def _close(self) -> None:
        self.closed = True
        self._pending.clear()
        self._ready.set()

    async def get(self, wait: float | None = None) -> Event | None:
        """The next event; None after ``wait`` seconds without one.

        Raises ``StopAsyncIteration`` once the subscription is closed.
        """
        while not self._pending:
            if self.closed:
                raise StopAsyncIteration
            self._ready.clear()
            try:
                async with asyncio.timeout(wait):
                    await self._ready.wait()
            except TimeoutError:
                return None
        return self._pending.popleft()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        event = await self.get()
        assert event is not None
        return event


class Bus:
    """What both buses share: who listens to which channel in this process."""

    def __init__(self) -> None:
        self._listeners: defaultdict[str, set[Subscription]] = defaultdict(set)
        self.ending = False  # the process is shutting down: streams end, none opens

    async def publish(self, channel: str, message: Message) -> None:
        await self.publish_many([(channel, message)])

    async def publish_many(self, events: Sequence[Event]) -> None:
        raise NotImplementedError

    async def publish_each(self, channels: Sequence[str], message: Message) -> None:
        """``message`` on each of ``channels``; only those someone listens to cost much."""
        await self.publish_many([(channel, message) for channel in channels])

    @asynccontextmanager
    async def subscribe(self, channels: Iterable[str]) -> AsyncIterator[Subscription]:
        """Listen to ``channels`` until the block exits; events published after
        this returns are delivered (Redis has confirmed the subscription)."""
        subscription = Subscription(self)
        if self.ending:  # shutting down: a stream opened now ends at once
            subscription._close()
            yield subscription
            return
        try:
            await subscription.add(*channels)
            yield subscription
        finally:
            # Synchronous on purpose: it must run even inside a cancelled scope.
            subscription.remove(*subscription.channels)
            subscription._close()

    async def end_streams(self, wait: float = 2.0) -> None:
        """End every open stream of this process (it is shutting down): each one's
        subscription closes, so it ends after the message it is sending, and no new
        one opens. Returns once every stream has let go, or after ``wait`` seconds."""
        self.ending = True
        for subscriptions in list(self._listeners.values()):
            for subscription in list(subscriptions):
                subscription._close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while self._listeners and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        for subscriptions in list(self._listeners.values()):
            for subscription in list(subscriptions):
                subscription._close()
        self._listeners.clear()

    def _deliver(self, channel: str, message: Message) -> None:
        for subscription in list(self._listeners.get(channel, ())):
            subscription._offer((channel, message))

    async def _attach(self, subscription: Subscription, channels: Sequence[str]) -> None:
        for channel in channels:
            self._listeners[channel].add(subscription)

    def _detach(self, subscription: Subscription, channels: Sequence[str]) -> None:
        for channel in channels:
            listeners = self._listeners.get(channel)
            if listeners is None:
                continue
            listeners.discard(subscription)
            if not listeners:
                del self._listeners[channel]


class LocalBus(Bus):
    """In-process: a publish reaches the subscribers of this process at once."""

    async def publish_many(self, events: Sequence[Event]) -> None:
        for channel, message in events:
            self._deliver(channel, message)

    async def publish_each(self, channels: Sequence[str], message: Message) -> None:
        for channel in channels:
            if channel in self._listeners:
                self._deliver(channel, message)


def channel_prefix(prefix: str) -> str:
    """What every Redis channel of the deployment with key prefix ``prefix`` starts with:
    the ``{stream}`` hash tag puts them all in one slot."""
    return f"{prefix}{{stream}}:"


class RedisBus(Bus):
    """Redis sharded pub/sub on channels named ``<prefix>{stream}:<channel>``.

    One task (``_sync``) makes Redis subscriptions follow what local streams want;
    another (``_read``) hands Redis messages to them. ``redis-py`` reconnects and
    re-subscribes on its own after a dropped connection.
    """

    def __init__(self, redis: Client, prefix: str) -> None:
        super().__init__()
        self.redis = redis
        self.prefix = channel_prefix(prefix)
        self._pubsub: PubSub | ClusterPubSub | None = None
        self._requested: set[str] = set()  # sent SUBSCRIBE for, not UNSUBSCRIBE since
        self._confirmed: set[str] = set()  # Redis said subscribed
        self._changed = asyncio.Event()
        self._confirmations = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False
        self._publish_listened = Script(PUBLISH_LISTENED)

    def _key(self, channel: str) -> str:
        return self.prefix + channel

    async def publish_many(self, events: Sequence[Event]) -> None:
        if not events:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for channel, message in events:
                pipe.spublish(self._key(channel), json.dumps(message, separators=(",", ":")))
            await pipe.execute()

    async def publish_each(self, channels: Sequence[str], message: Message) -> None:
        if any("\n" in channel for channel in channels):
            raise ValueError("a channel name has a newline")
        data = json.dumps(message, separators=(",", ":"))
        for start in range(0, len(channels), PUBLISH_BATCH):
            names = "\n".join(channels[start : start + PUBLISH_BATCH])
            # KEYS: the channels' slot (one, by their hash tag), for a cluster's routing.
            await self._publish_listened.run(self.redis, [self.prefix], [self.prefix, data, names])

    async def _attach(self, subscription: Subscription, channels: Sequence[str]) -> None:
        await super()._attach(subscription, channels)
        if not channels:
            return
        self._start()
        self._changed.set()
        wanted = set(channels)
        try:
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT), self._confirmations:
                await self._confirmations.wait_for(lambda: wanted <= self._confirmed)
        except TimeoutError:
            log.warning("Redis did not confirm the subscription to %s in time", sorted(wanted))

    def _detach(self, subscription: Subscription, channels: Sequence[str]) -> None:
        super()._detach(subscription, channels)
        self._changed.set()

    def _start(self) -> None:
        if self._pubsub is not None:
            return
        self._pubsub = self.redis.pubsub()
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._sync()), loop.create_task(self._read())]

    async def _sync(self) -> None:
        assert self._pubsub is not None
        while not self._closed:
            await self._changed.wait()
            self._changed.clear()
            wanted = set(self._listeners)
            add = sorted(wanted - self._requested)
            drop = sorted(self._requested - wanted)
            try:
                for channel in add:  # one a call, as redis-py's ClusterPubSub sends them
                    await self._pubsub.ssubscribe(self._key(channel))
                    self._requested.add(channel)
                if drop:
                    # Forget the confirmation now: a stream that wants one of these
                    # again must wait for the new SSUBSCRIBE to be confirmed.
                    self._confirmed.difference_update(drop)
                    self._requested.difference_update(drop)
                    for channel in drop:
                        await self._pubsub.sunsubscribe(self._key(channel))
            except RETRIED:
                log.exception("changing Redis subscriptions failed; retrying")
                await asyncio.sleep(1)
                self._changed.set()

    async def _read(self) -> None:
        assert self._pubsub is not None
        pubsub = self._pubsub
        while not self._closed:
            cluster = isinstance(pubsub, ClusterPubSub)  # a connection per node
            if not pubsub.shard_channels if cluster else pubsub.connection is None:
                await asyncio.sleep(0.01)  # nothing subscribed yet
                continue
            try:
                if isinstance(pubsub, ClusterPubSub):
                    message = await pubsub.get_sharded_message(timeout=1.0)
                else:
                    message = await pubsub.get_message(timeout=1.0)
            except RETRIED:
                log.exception("reading from Redis pub/sub failed; reconnecting")
                await asyncio.sleep(1)
                continue
            if message is not None:
                await self._handle(message)

    async def _handle(self, raw: dict[str, Any]) -> None:
        kind = raw.get("type")
        name = raw.get("channel")
        channel = (name.decode() if isinstance(name, bytes) else str(name))[len(self.prefix) :]
        if kind == "smessage":
            try:
                message = json.loads(raw["data"])
            except (KeyError, TypeError, ValueError):
                log.warning("ignoring a malformed bus message on %s", channel)
                return
            self._deliver(channel, message)
        elif kind in {"ssubscribe", "sunsubscribe"}:
            async with self._confirmations:
                if kind == "ssubscribe":
                    self._confirmed.add(channel)
                else:
                    self._confirmed.discard(channel)
                self._confirmations.notify_all()

    async def close(self) -> None:
        await super().close()
        # The flag as well as cancel(): redis-py may swallow a cancellation mid-command.
        self._closed = True
        self._changed.set()
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks = []
        if self._pubsub is not None:
            await self._pubsub.aclose()
            self._pubsub = None


def make_bus(redis: Client | None, prefix: str) -> Bus:
    """Redis pub/sub when the runtime has Redis, else in-process."""
    return RedisBus(redis, prefix) if redis is not None else LocalBus()
