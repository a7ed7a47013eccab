"""The breaker of a Redis Cluster client: it opens only when no node answers.

One Redis has a breaker per process that any failure opens (core/breaker.py). A cluster
cannot use that rule: a master lost must cost only its own slots, and only until its
replica is promoted, which the client's retries ride out (core/redis.py); a breaker that
opened on one node's failure would stop every node at each failover. When NO node
answers (the network to the cluster cut, every node paused or gone), there is nothing to
fail over to, and without a breaker every call would wait 7-9 s: the client retries,
reads its slot map again asking node after node (a timeout each), then gives up with
``RedisClusterUnreachableError``; a request makes several calls. So the cluster's
breaker (the process's ``Breaker``, driven by a ``ClusterGuard``) opens on that case only:

- at once when every master of the client's slot map has failed to answer (refused,
  reset, timed out) since any node last answered: under load, when the calls under way
  as the cluster went time out;
- otherwise a failure (when no node has answered since) starts a check in the
  background, at most one a cool-off period: a PING to every node the client knows, at
  once, each on a connection of its own (so within the connect timeout when nothing
  answers). If no node has answered anything by its end (the PINGs, or any call of the
  process), the breaker opens. So a lone call does not walk the whole cluster one
  timeout after another first. A master lost alone never opens it: the other nodes
  answer, and any answer starts the count again;
- while it is open every call fails at once with ``ClusterUnavailable`` (a
  ``RedisClusterUnreachableError``, which the client does not retry: as a
  ``ConnectionError`` a pipeline would retry it for 5-9 s), and so do the commands of
  calls already under way, which end too; the slot map is not read;
- ``ROOST_REDIS_BREAKER_SECONDS`` later the next call (refused still) starts the same
  PINGs as a probe. The first answer closes the breaker and the client's own handling
  takes over (a new slot map, a failover ridden out); no answer, and it stays open
  another period. No request waits on a check or a probe.

So a cut costs each process the timeouts of the calls under way when it began (their
requests took 2-5 s in the hosts' test), then nothing until Redis answers again.

The guard sits in two places of ``GuardedCluster``: each call (command, pipeline,
script, reading of the slot map) asks it first, and its nodes' connections
(``ClusterGuardedConnection``) ask it before they connect or send and tell it how each
command went.
"""

from __future__ import annotations

import asyncio
import math
import time
from contextvars import ContextVar
from typing import Any

from redis.asyncio.cluster import ClusterNode, ClusterPipeline, RedisCluster
from redis.asyncio.connection import Connection
from redis.exceptions import RedisClusterException, RedisClusterUnreachableError

from roost.core.breaker import Breaker, BreakerOpen, GuardedConnection, RedisUnavailable


class ClusterUnavailable(BreakerOpen, RedisClusterUnreachableError):
    """Raised without trying: the cluster's breaker is open (module text). In
    REDIS_DOWN as every ``RedisClusterUnreachableError`` is."""


# The PINGs to every node the current task works for: set in their task, inherited by
# the tasks it starts (one per node), so they pass while the breaker is open.
_ASKING: ContextVar[object | None] = ContextVar("roost_cluster_asking", default=None)


class ClusterGuard:
    """The cluster's rule (module text) over one ``Breaker``, for one client."""

    def __init__(self, breaker: Breaker, client: RedisCluster) -> None:
        self.breaker = breaker
        self._client = client
        self._failed: set[str] = set()  # nodes that failed since a node last answered
        self._answers = 0  # answers counted so far (any node, any call)
        self._asking: asyncio.Task[None] | None = None  # the PINGs under way
        self._token: object | None = None  # theirs
        self._checked_at = -math.inf  # when the last check (breaker closed) began

    @property
    def asking(self) -> asyncio.Task[None] | None:
        """The PINGs to every node under way (a check or a probe), if any are."""
        return self._asking

    def _mine(self) -> bool:
        return self._token is not None and _ASKING.get() is self._token

    def check(self) -> None:
        """Let a call or one of its commands go on, or raise ``ClusterUnavailable``; the
        first refused once the cool-off is over starts the probe."""
        if not self.breaker.is_open or self._mine():
            return
        if self._asking is None:
            token = object()
            try:
                self.breaker.check(token)  # raises until the cool-off is over, then claims it
            except RedisUnavailable:
                raise ClusterUnavailable(
                    "no Redis Cluster node answers (the circuit breaker is open)"
                ) from None
            self._ask(token)
        raise ClusterUnavailable("no Redis Cluster node answers (the circuit breaker is open)")

    def failed(self, node: str, error: Exception) -> None:
        """A command found ``node`` unreachable."""
        if self.breaker.is_open or self._mine():
            return
        self._failed.add(node)
        masters = {master.name for master in self._client.get_primaries()}
        if masters and masters <= self._failed:
            self.breaker.failed(
                RedisClusterUnreachableError(f"no master answers, the last {node}: {error}")
            )
        elif self._asking is None and time.monotonic() - self._checked_at >= self.breaker.cool_off:
            self._checked_at = time.monotonic()
            self._ask(object())

    def succeeded(self) -> None:
        """A node answered (an error reply too): the cluster is in reach."""
        self._answers += 1
        if self._failed:
            self._failed.clear()
        self.breaker.succeeded()

    def _ask(self, token: object) -> None:
        self._token = token
        self._asking = asyncio.get_running_loop().create_task(self._ask_every_node(token))

    async def _ask_every_node(self, token: object) -> None:
        """PING every node at once; open the breaker (or keep it open) if by then no
        node answered anything. An answer closes it by itself (``succeeded``)."""
        _ASKING.set(token)
        answers = self._answers
        manager = self._client.nodes_manager
        # The startup nodes too: a client that never read its slot map knows no other.
        nodes = {node.name: node for node in manager.startup_nodes.values()}
        nodes.update(manager.nodes_cache)
        try:
            # Each PING gives up after the connections' timeouts (connect, then read).
            outcomes = await asyncio.gather(
                *(_ping(node) for node in nodes.values()), return_exceptions=True
            )
        finally:
            self._asking = self._token = None
        if self._answers == answers:
            errors = [o for o in outcomes if isinstance(o, Exception)]
            self.breaker.failed(
                RedisClusterUnreachableError(
                    f"no node answers a PING: {errors[-1] if errors else 'no node known'}"
                )
            )

    async def stop(self) -> None:
        """Stop the PINGs under way (the client is closing)."""
        if self._asking is not None:
            self._asking.cancel()
            await asyncio.gather(self._asking, return_exceptions=True)


async def _ping(node: ClusterNode) -> Any:
    """PING ``node`` on a connection made for it: one of its pool, already open, would
    wait for the socket timeout (2 s) where a new one waits for the connect timeout."""
    connection = node.connection_class(**node.connection_kwargs)
    try:
        await connection.send_command("PING")
        return await connection.read_response()
    finally:
        await connection.disconnect()


class ClusterGuardedConnection(GuardedConnection, Connection):
    """A cluster node's connection: asks the client's guard, tells it which node failed."""

    guard: ClusterGuard  # set on the class ``GuardedCluster`` makes

    def _check(self) -> None:
        self.guard.check()

    def _failed(self, error: Exception) -> None:
        self.guard.failed(f"{self.host}:{self.port}", error)  # as ClusterNode names it

    def _succeeded(self) -> None:
        self.guard.succeeded()


class GuardedCluster(RedisCluster):
    """redis-py's cluster client whose calls and connections go through a
    ``ClusterGuard`` over ``breaker`` (``core/redis.connect_redis`` builds it)."""

    def __init__(self, *args: Any, breaker: Breaker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guard = ClusterGuard(breaker, self)
        # Nodes are made with these keyword arguments: the ones found later get the
        # class too. The startup nodes were made already.
        base = self.connection_kwargs["connection_class"]
        guarded = type(
            f"ClusterGuarded{base.__name__}",
            (ClusterGuardedConnection, base),
            {"guard": self.guard},
        )
        self.connection_kwargs["connection_class"] = guarded
        for node in self.nodes_manager.startup_nodes.values():
            node.connection_class = guarded

    async def initialize(self, *args: Any, **kwargs: Any) -> GuardedCluster:
        self.guard.check()  # no reading of the slot map while no node answers
        await super().initialize(*args, **kwargs)
        return self

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        self.guard.check()
        return await super().execute_command(*args, **kwargs)

    def pipeline(
        self, transaction: Any | None = None, shard_hint: Any | None = None
    ) -> ClusterPipeline:
        if shard_hint:
            raise RedisClusterException("shard_hint is deprecated in cluster mode")
        # As RedisCluster.pipeline makes its own (mypy reads an attribute as abstract).
        return GuardedPipeline(self, transaction)  # type: ignore[abstract]

    async def aclose(self) -> None:
        await self.guard.stop()
        await super().aclose()


class GuardedPipeline(ClusterPipeline):
    """A pipeline (or MULTI transaction) of a ``GuardedCluster``: asks the guard first."""

    async def execute(
        self, raise_on_error: bool = True, allow_redirections: bool = True
    ) -> list[Any]:
        client = self.cluster_client
        assert isinstance(client, GuardedCluster)
        try:
            client.guard.check()
        except ClusterUnavailable:
            await self.reset()  # as a pipeline that ran: empty again
            raise
        return await super().execute(raise_on_error, allow_redirections)
