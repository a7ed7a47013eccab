"""The ``list`` stream: updates of one list timeline, only to its owner."""

from __future__ import annotations

import asyncio
import json

import httpx
from websockets.asyncio.client import connect

from roost.runtime import Runtime
from tests.factories import Factory
from tests.streaming.helpers import open_sse, ws_next, ws_send, ws_sync
from tests.streaming.test_sse import post
from tests.streaming.test_websocket import ws_url
from tests.timelines.helpers import follow


async def test_a_members_post_streams_to_the_list_and_nothing_else_does(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await follow(runtime, ada, bob, cy)
    made = await client.post("/api/v1/lists", json={"title": "Bob"}, headers=ada.headers)
    list_id = made.json()["id"]
    await client.post(
        f"/api/v1/lists/{list_id}/accounts", json={"account_ids": [bob.id]}, headers=ada.headers
    )
    await runtime.jobs.drain()

    async with (
        open_sse(server, "/api/v1/streaming/list", ada, list=list_id) as by_path,
        open_sse(server, "/api/v1/streaming", ada, stream="list", list=list_id) as by_name,
        connect(ws_url(server, f"access_token={ada.token}")) as ws,
    ):
        await ws_send(ws, type="subscribe", stream="list", list=list_id)
        await ws_sync(ws)
        await post(client, cy, "not a member")
        said = await post(client, bob, "member")
        for stream in (by_path, by_name):
            assert (await stream.next_update())["id"] == str(said)
        frame = await ws_next(ws)
        assert frame["stream"] == ["list", list_id]
        assert frame["event"] == "update"
        assert json.loads(frame["payload"])["id"] == str(said)


async def test_only_the_owner_may_open_a_list_stream(
    server: str, client: httpx.AsyncClient, factory: Factory
) -> None:
    ada, bob = await factory.user("ada"), await factory.user("bob")
    made = await client.post("/api/v1/lists", json={"title": "mine"}, headers=ada.headers)
    list_id = made.json()["id"]
    async with httpx.AsyncClient(base_url=server) as http:
        others = await http.get(
            "/api/v1/streaming/list", params={"list": list_id}, headers=bob.headers
        )
        assert others.status_code == 404
        anonymous = await http.get("/api/v1/streaming/list", params={"list": list_id})
        assert anonymous.status_code == 401
        no_list = await http.get("/api/v1/streaming/list", headers=ada.headers)
        assert no_list.status_code == 400
    await asyncio.sleep(0)
