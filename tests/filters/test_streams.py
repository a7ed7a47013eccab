"""Streams apply the subscriber's filters: the ``user`` stream in the home context, the
public and hashtag streams in the public one; ``hide`` drops the event, ``warn`` marks
it. A dropped event is proved by a marker post behind it (events arrive in order)."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.filters.helpers import make_filter
from tests.streaming.conftest import port, server, settings  # noqa: F401  (fixtures)
from tests.streaming.helpers import open_sse
from tests.timelines.helpers import follow, post


async def test_streams_hide_and_mark_by_the_subscribers_filters(
    server: str,  # noqa: F811
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
) -> None:
    reader, alice = await factory.user("reader"), await factory.user("alice")
    await follow(runtime, reader, alice)
    await make_filter(client, reader, "secret", context=("home",), action="hide")
    await make_filter(client, reader, "some", context=("public",), action="hide")
    await make_filter(client, reader, "maybe", context=("home", "public"), title="Maybe")
    async with (
        open_sse(server, "/api/v1/streaming/user", reader) as home,
        open_sse(server, "/api/v1/streaming/public", reader) as public,
        open_sse(server, "/api/v1/streaming/hashtag", reader, tag="tea") as tag,
        open_sse(server, "/api/v1/streaming/public", alice) as others,
    ):
        posted = []
        for text in ("a secret", "some #tea", "maybe #tea, maybe not", "the end #tea"):
            posted.append(await post(client, alice, text))
            await runtime.jobs.drain()  # delivered one after another: the order is known
        secret, tea, maybe, marker = posted

        seen = await home.next_update()  # the home context hides the secret only
        assert seen["id"] == tea and seen["filtered"] == []
        seen = await home.next_update()
        assert seen["id"] == maybe
        assert [r["filter"]["title"] for r in seen["filtered"]] == ["Maybe"]
        assert (await home.next_update())["id"] == marker

        for stream in (public, tag):  # the public context hides "some", hashtags too
            seen = await stream.next_update()
            if stream is public:
                assert seen["id"] == secret and seen["filtered"] == []
                seen = await stream.next_update()
            assert seen["id"] == maybe and seen["filtered"][0]["keyword_matches"] == ["maybe"]
            assert (await stream.next_update())["id"] == marker
        for expected in (secret, tea, maybe, marker):  # nobody else's filters apply
            seen = await others.next_update()
            assert seen["id"] == expected and seen["filtered"] == []


async def test_a_change_to_filters_is_told_on_the_user_stream(
    server: str,  # noqa: F811
    client: httpx.AsyncClient,
    factory: Factory,
) -> None:
    reader = await factory.user("reader")
    async with open_sse(server, "/api/v1/streaming/user", reader) as home:
        made = await make_filter(client, reader, "one")
        event = await home.next()
        assert (event.event, event.data) == ("filters_changed", "undefined")
        await client.delete(f"/api/v2/filters/{made['id']}", headers=reader.headers)
        assert (await home.next()).event == "filters_changed"  # each change, once
