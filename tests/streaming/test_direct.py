"""The ``direct`` stream: each participant hears of their own conversation, nobody else
does, and a direct post reaches no other stream."""

from __future__ import annotations

import json

import httpx
from websockets.asyncio.client import connect

from roost.runtime import Runtime
from roost.streaming.publish import publish_conversation
from tests.factories import Factory
from tests.streaming.helpers import open_sse, ws_next, ws_send, ws_sync
from tests.streaming.test_sse import post
from tests.streaming.test_websocket import ws_url


async def test_each_participant_hears_of_their_own_conversation(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    async with (
        open_sse(server, "/api/v1/streaming/direct", alice) as alices,
        open_sse(server, "/api/v1/streaming/direct", bob) as bobs,
        open_sse(server, "/api/v1/streaming/direct", carol) as carols,
        open_sse(server, "/api/v1/streaming/public", carol) as public,
    ):
        secret = await post(client, alice, "@bob just us", visibility="direct")
        to_bob = await bobs.next()
        assert to_bob.event == "conversation"
        conversation = to_bob.json()
        assert conversation["unread"] is True
        assert conversation["last_status"]["id"] == str(secret)
        assert [a["username"] for a in conversation["accounts"]] == ["alice"]
        mine = (await alices.next()).json()
        assert mine["unread"] is False and mine["id"] != conversation["id"]
        # Even published to the wrong person, bob's conversation does not reach carol.
        await publish_conversation(runtime, carol.account.id, int(conversation["id"]))
        marker = await post(client, alice, "@carol your turn", visibility="direct")
        assert (await carols.next()).json()["last_status"]["id"] == str(marker)
        shout = await post(client, alice, "hello all")
        assert (await public.next_update())["id"] == str(shout)  # no direct post before it

        # a second post in the same conversation is sent again (same id, new post)
        again = await post(
            client, bob, "@alice sure", visibility="direct", in_reply_to_id=str(secret)
        )
        update = (await bobs.next()).json()
        assert update["id"] == conversation["id"]
        assert update["last_status"]["id"] == str(again)
        assert update["unread"] is False


async def test_the_direct_stream_over_websocket_and_its_token(
    server: str, client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    anonymous = await client.get("/api/v1/streaming/direct")
    assert anonymous.status_code == 401
    async with connect(ws_url(server, f"access_token={bob.token}")) as ws:
        await ws_send(ws, type="subscribe", stream="direct")
        await ws_sync(ws)
        secret = await post(client, alice, "@bob psst", visibility="direct")
        frame = await ws_next(ws)
        assert frame["stream"] == ["direct"] and frame["event"] == "conversation"
        assert json.loads(frame["payload"])["last_status"]["id"] == str(secret)
