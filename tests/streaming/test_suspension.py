"""Streams under moderation, on both buses: a suspended or disabled account's open
streams end at once, and nobody else's stream carries a suspended author's posts
(each stream renders through the same rule as every read)."""

from __future__ import annotations

from functools import partial

import httpx
import pytest
from sqlalchemy import update

from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.moderation.service import (
    disable_account,
    suspend_account,
    unsuspend_account,
)
from roost.runtime import Runtime
from roost.streaming import routes
from roost.streaming import sse as sse_module
from roost.streaming import websocket as websocket_module
from roost.streaming.publish import publish_home_update, publish_public
from tests.factories import Factory
from tests.moderation.scene import Verb, moderate
from tests.streaming.helpers import open_sse
from tests.streaming.test_ending import closed_code, ended, sse, websocket
from tests.streaming.test_sse import post


@pytest.mark.parametrize("verb", [suspend_account, disable_account], ids=["suspend", "disable"])
async def test_a_suspension_or_disabling_ends_the_accounts_streams(
    server: str,
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    bus_kind: str,
    verb: Verb,
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    async with (
        sse(server, alice.token) as (_, reader),
        websocket(server, alice.token) as ws,
        sse(server, bob.token) as (bobs, _),
    ):
        await moderate(runtime, verb, alice)
        assert await ended(reader)
        assert await closed_code(ws) == 1000
        # Someone else's stream lives on.
        status_id = await post(client, bob, "still here")
        await publish_home_update(runtime, [bob.account.id], status_id)
        assert (await bobs.next_update())["id"] == str(status_id)
    refused = await client.get("/api/v1/streaming/user", headers=alice.headers)
    assert refused.status_code == 403


async def test_no_stream_carries_a_suspended_authors_posts(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice, bob, dave = [await factory.user(n) for n in ("alice", "bob", "dave")]
    # Posted (and fanned out) before any stream opens: what reaches the streams below is
    # only what this test publishes, as a late fan-out would.
    late = await post(client, alice, "delivered after the suspension")
    other = await post(client, dave, "from someone in good standing")
    await runtime.jobs.drain()
    async with (
        open_sse(server, "/api/v1/streaming/user", bob) as home,
        open_sse(server, "/api/v1/streaming/public") as public,
    ):
        await moderate(runtime, suspend_account, alice)
        for status_id in (late, other):
            await publish_home_update(runtime, [bob.account.id], status_id)
            await publish_public(runtime, status_id)
        # Each stream's next update is dave's: alice's was not sent.
        for stream in (home, public):
            assert (await stream.next_update())["id"] == str(other)
        await moderate(runtime, unsuspend_account, alice)
        await publish_home_update(runtime, [bob.account.id], late)
        assert (await home.next_update())["id"] == str(late)


async def test_a_change_the_bus_never_carried_still_ends_streams_at_a_heartbeat(
    server: str,
    runtime: Runtime,
    factory: Factory,
    bus_kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``roost admin`` run against an embedded server has no bus to reach it with: the
    account's row changes and nothing is published. A quiet stream looks again at
    each heartbeat (SSE) or recheck (WebSocket), and ends."""
    monkeypatch.setattr(routes, "event_stream", partial(sse_module.event_stream, heartbeat=0.2))
    monkeypatch.setattr(websocket_module, "RECHECK_SECONDS", 0.2)
    alice = await factory.user("alice")
    async with sse(server, alice.token) as (_, reader), websocket(server, alice.token) as ws:
        async with runtime.db.write() as session:
            await session.execute(
                update(Account).where(Account.id == alice.account.id).values(suspended_at=utcnow())
            )
            await session.commit()  # no after-commit effects: no kill is published
        assert await ended(reader)
        assert await closed_code(ws) == 1000
