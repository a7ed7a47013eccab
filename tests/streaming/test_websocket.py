"""The WebSocket endpoint, driven by the ``websockets`` client library."""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from roost.runtime import Runtime
from roost.streaming.publish import (
    publish_delete,
    publish_home_update,
    publish_notification,
    publish_public,
)
from tests.factories import Factory
from tests.streaming.helpers import ws_next, ws_send, ws_sync
from tests.streaming.test_sse import post


def ws_url(server: str, query: str = "") -> str:
    return server.replace("http://", "ws://") + "/api/v1/streaming" + (f"?{query}" if query else "")


async def test_subscribe_receive_and_unsubscribe(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    async with connect(ws_url(server, f"access_token={alice.token}")) as ws:
        await ws_send(ws, type="subscribe", stream="user")
        await ws_send(ws, type="subscribe", stream="hashtag", tag="Cats")
        await ws_send(ws, type="subscribe", stream="user")  # twice: still one stream
        await ws_sync(ws)

        status_id = await post(client, alice, "hi #cats")
        await publish_home_update(runtime, [alice.account.id], status_id)
        frame = await ws_next(ws)
        assert frame["stream"] == ["user"]
        assert frame["event"] == "update"
        assert isinstance(frame["payload"], str)  # JSON inside a string, as Mastodon sends
        assert json.loads(frame["payload"])["id"] == str(status_id)

        await publish_public(runtime, status_id)
        frame = await ws_next(ws)
        assert (frame["stream"], frame["event"]) == (["hashtag", "cats"], "update")
        tagged = json.loads(frame["payload"])
        assert tagged["id"] == str(status_id)
        assert [tag["name"] for tag in tagged["tags"]] == ["cats"]

        mention = await post(client, bob, "@alice ping")
        [note] = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
        await publish_notification(runtime, alice.account.id, int(note["id"]))
        frame = await ws_next(ws)
        assert (frame["stream"], frame["event"]) == (["user"], "notification")
        assert json.loads(frame["payload"])["status"]["id"] == str(mention)

        # A delete goes to each stream, with the bare id as its payload.
        await publish_delete(runtime, status_id)
        frames = [await ws_next(ws), await ws_next(ws)]
        assert sorted(f["stream"][0] for f in frames) == ["hashtag", "user"]
        assert {(f["event"], f["payload"]) for f in frames} == {("delete", str(status_id))}

        await ws_send(ws, type="unsubscribe", stream="hashtag", tag="cats")
        await ws_sync(ws)
        second = await post(client, alice, "more #cats")
        await publish_public(runtime, second)  # the hashtag stream is gone
        await publish_home_update(runtime, [alice.account.id], second)
        frame = await ws_next(ws)
        assert (frame["stream"], json.loads(frame["payload"])["id"]) == (["user"], str(second))


async def test_the_query_form_subscribes_at_once_and_anonymous_may_watch_public(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    async with connect(ws_url(server, "stream=public:local")) as ws:
        await ws_sync(ws)
        status_id = await post(client, alice, "out loud")
        await publish_public(runtime, status_id)
        frame = await ws_next(ws)
        assert (frame["stream"], frame["event"]) == (["public:local"], "update")
        assert json.loads(frame["payload"])["favourited"] is False
        # Anonymous: no user stream.
        await ws_send(ws, type="subscribe", stream="user")
        assert await ws_next(ws) == {"error": "Missing access token", "status": 401}


@pytest.mark.parametrize("how", ["header", "protocol"])
async def test_token_in_a_header_or_as_the_subprotocol(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, how: str
) -> None:
    alice = await factory.user("alice")
    if how == "header":
        opened = connect(ws_url(server, "stream=user"), additional_headers=alice.headers)
    else:
        opened = connect(ws_url(server, "stream=user"), subprotocols=[Subprotocol(alice.token)])
    async with opened as ws:
        if how == "protocol":
            assert ws.subprotocol == alice.token  # echoed, as browsers require
        await ws_sync(ws)
        status_id = await post(client, alice, "header")
        await publish_home_update(runtime, [alice.account.id], status_id)
        frame = await ws_next(ws)
        assert json.loads(frame["payload"])["id"] == str(status_id)


async def test_bad_client_messages_get_error_frames(server: str, factory: Factory) -> None:
    alice = await factory.user("alice")
    reader = await factory.token(alice, "read:statuses")
    async with connect(ws_url(server, f"access_token={reader}")) as ws:
        await ws.send("{not json")
        assert await ws_next(ws) == {"error": "Error parsing JSON", "status": 400}
        await ws_send(ws, type="dance")
        assert await ws_next(ws) == {"error": "Unknown message type", "status": 400}
        await ws.send("[1, 2]")
        assert await ws_next(ws) == {"error": "Unknown message type", "status": 400}
        await ws_send(ws, type="subscribe")
        assert await ws_next(ws) == {"error": "Unknown stream type", "status": 400}
        await ws_send(ws, type="subscribe", stream="hashtag")
        assert await ws_next(ws) == {"error": "No tag for stream provided", "status": 400}
        await ws_send(ws, type="subscribe", stream="hashtag", tag="a b")
        assert await ws_next(ws) == {"error": "Invalid tag", "status": 400}
        await ws_send(ws, type="subscribe", stream="user:notification")
        frame = await ws_next(ws)
        assert frame["status"] == 403 and frame["error"]
        # Still open and working after all that.
        await ws_send(ws, type="subscribe", stream="public")
        await ws_sync(ws)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("access_token=not-a-token", 401),
        ("stream=user", 401),
        ("stream=nonsense", 400),
        ("stream=hashtag", 400),
    ],
)
async def test_a_bad_handshake_is_refused(server: str, query: str, status: int) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(ws_url(server, query)):
            pass
    assert refused.value.response.status_code == status
    assert "error" in json.loads(refused.value.response.body or b"{}")


async def test_trailing_slash(server: str, factory: Factory) -> None:
    alice = await factory.user("alice")
    async with connect(ws_url(server).rstrip("/") + f"/?access_token={alice.token}") as ws:
        await ws_send(ws, type="subscribe", stream="user")
        await ws_sync(ws)
