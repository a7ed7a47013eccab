"""Pictures on streamed posts, and the media-only public streams."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from roost.streaming.publish import publish_public
from tests.factories import Factory
from tests.media_files import make_media
from tests.streaming.helpers import open_sse


async def test_media_streams_carry_only_posts_with_pictures(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    media_id = str((await make_media(runtime, alice.id, description="a wren")).id)
    async with (
        open_sse(server, "/api/v1/streaming/public") as public,
        open_sse(server, "/api/v1/streaming/public", only_media="true") as media,
        open_sse(server, "/api/v1/streaming/public/local", only_media="1") as local_media,
    ):
        plain = await client.post(
            "/api/v1/statuses", json={"status": "words only"}, headers=alice.headers
        )
        pictured = await client.post(
            "/api/v1/statuses", json={"media_ids": [media_id]}, headers=alice.headers
        )
        for response in (plain, pictured):
            await publish_public(runtime, int(response.json()["id"]))
        # Both, in the order their publications reached the bus.
        streamed = {update["id"]: update for update in [await public.next_update() for _ in "ab"]}
        assert set(streamed) == {plain.json()["id"], pictured.json()["id"]}
        shown_media = streamed[pictured.json()["id"]]["media_attachments"]
        assert shown_media == pictured.json()["media_attachments"]
        for stream in (media, local_media):
            shown = await stream.next_update()  # the plain post never came
            assert shown["id"] == pictured.json()["id"]
            assert shown["media_attachments"][0]["description"] == "a wren"
