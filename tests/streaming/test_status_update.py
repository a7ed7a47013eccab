"""An edit streams as ``status.update`` to the streams that may show the post, rendered
for each subscriber after the same privacy checks as a new post."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.streaming.helpers import open_sse
from tests.streaming.test_privacy import act
from tests.streaming.test_sse import post


async def edit(client: httpx.AsyncClient, author: User, status_id: int, text: str) -> None:
    response = await client.put(
        f"/api/v1/statuses/{status_id}", json={"status": text}, headers=author.headers
    )
    assert response.status_code == 200, response.text


async def test_an_edit_streams_to_those_who_may_see_it(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice, follower, stranger = [await factory.user(n) for n in ("alice", "follower", "stranger")]
    await act(client, follower, f"/api/v1/accounts/{alice.id}/follow")
    public = await post(client, alice, "public #news")
    private = await post(client, alice, "for followers", visibility="private")
    await runtime.jobs.drain()
    async with (
        open_sse(server, "/api/v1/streaming/user", follower) as follower_home,
        open_sse(server, "/api/v1/streaming/user", stranger) as stranger_home,
        open_sse(server, "/api/v1/streaming/public") as anonymous_public,
        open_sse(server, "/api/v1/streaming/hashtag", tag="news") as tag,
    ):
        await edit(client, alice, private, "for followers, edited")
        await edit(client, alice, public, "public #news, edited")
        await edit(client, alice, public, "public #news, edited twice")
        await runtime.jobs.drain()

        for expected in (
            (private, "for followers, edited"),
            (public, "edited"),
            (public, "edited twice"),
        ):
            event = await follower_home.next()
            assert event.event == "status.update", event
            status = event.json()
            assert status["id"] == str(expected[0]) and expected[1] in status["content"]
            assert status["edited_at"] is not None
        for stream in (anonymous_public, tag):
            for text in ("edited", "edited twice"):
                event = await stream.next()
                assert event.event == "status.update" and text in event.json()["content"]
        # Not the stranger's: the private edit never reaches their stream (the marker,
        # a later post of their own, arrives first).
        marker = await post(client, stranger, "marker")
        event = await stranger_home.next()
        assert (event.event, event.json()["id"]) == ("update", str(marker))
