"""Posting, mentioning and deleting through the API streams by itself (the publish
calls are wired into fan-out, notifications and deletes)."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.streaming.helpers import open_sse
from tests.streaming.test_privacy import act
from tests.streaming.test_sse import post


async def test_a_post_streams_to_followers_public_and_hashtag_streams(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow")
    await runtime.jobs.drain()
    async with (
        open_sse(server, "/api/v1/streaming/user", alice) as alice_home,
        open_sse(server, "/api/v1/streaming/user", bob) as bob_home,
        open_sse(server, "/api/v1/streaming/user", carol) as carol_home,
        open_sse(server, "/api/v1/streaming/public") as public,
        open_sse(server, "/api/v1/streaming/hashtag", tag="roost") as tagged,
    ):
        private = await post(client, alice, "only followers", visibility="private")
        public_id = await post(client, alice, "everyone #roost")
        for stream in (alice_home, bob_home):  # the author's own home, and a follower's
            assert (await stream.next_update())["id"] == str(private)
            assert (await stream.next_update())["id"] == str(public_id)
        assert (await public.next_update())["id"] == str(public_id)
        assert (await tagged.next_update())["id"] == str(public_id)

        # A direct mention reaches carol's home and notifies her, in either order.
        mention = await post(client, alice, "@carol welcome", visibility="direct")
        events = {event.event: event.json() for event in [await carol_home.next() for _ in "12"]}
        assert events["update"]["id"] == str(mention)
        assert events["notification"]["type"] == "mention"
        assert events["notification"]["status"]["id"] == str(mention)

        deleted = await client.delete(f"/api/v1/statuses/{public_id}", headers=alice.headers)
        assert deleted.status_code == 200
        for stream in (public, tagged):
            event = await stream.next()
            assert (event.event, event.data) == ("delete", str(public_id))
        # Alice's home got her direct message before the delete; bob's home only the delete.
        assert (await alice_home.next_update())["id"] == str(mention)
        for stream in (alice_home, bob_home):
            event = await stream.next()
            assert (event.event, event.data) == ("delete", str(public_id))
