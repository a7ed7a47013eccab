"""The home page cache (timelines/page_cache.py): a page asked again with nothing changed
costs no SQL, and a kept page is never served once anything it shows has changed."""

from __future__ import annotations

import asyncio
from typing import cast

import httpx
from redis.exceptions import RedisClusterUnreachableError
from starlette.types import Receive, Scope, Send

from roost.timelines.page_cache import PageCache
from roost.timelines.page_cache_middleware import KeptPages
from tests.conftest import SCALED, AppClient, Scaled
from tests.factories import User
from tests.sql import statements
from tests.timelines.helpers import HOME, follow, forget_everything, make_big, post, revoke


async def home(client: httpx.AsyncClient, user: User, **params: str) -> list[dict[str, object]]:
    response = await client.get(HOME, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    page: list[dict[str, object]] = response.json()
    return page


async def test_the_same_page_asked_again_costs_no_sql(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await home(client, reader)
    posted = []
    for n in range(3):  # each delivered before the next: the timeline's order is known
        posted.append(await post(client, friend, f"post {n}"))
        await runtime.jobs.drain()

    first = await client.get(HOME, params={"limit": 2}, headers=reader.headers)
    with statements(runtime) as seen:
        again = await client.get(HOME, params={"limit": 2}, headers=reader.headers)
    assert seen == []
    assert again.content == first.content
    for header in ("link", "content-type", "content-length"):
        assert again.headers[header] == first.headers[header]
    assert [s["id"] for s in again.json()] == posted[:0:-1]
    # Another query is another page.
    assert [s["id"] for s in await home(client, reader, limit="3")] == posted[::-1]


async def test_a_kept_page_is_not_served_once_what_it_shows_changed(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend, fan, star = [await factory.user(n) for n in ("reader", "friend", "fan", "star")]
    await follow(runtime, reader, friend, star)
    await make_big(runtime, star.account.id)
    await home(client, reader)
    first = await post(client, friend, "first")
    await runtime.jobs.drain()
    assert [s["id"] for s in await home(client, reader)] == [first]

    # A new delivery.
    second = await post(client, friend, "second")
    await runtime.jobs.drain()
    assert [s["id"] for s in await home(client, reader)] == [second, first]

    # Someone else's favourite changes a count; the reader's own sets a mark.
    await client.post(f"/api/v1/statuses/{first}/favourite", headers=fan.headers)
    assert (await home(client, reader))[1]["favourites_count"] == 1
    await client.post(f"/api/v1/statuses/{first}/favourite", headers=reader.headers)
    shown = (await home(client, reader))[1]
    assert shown["favourites_count"] == 2 and shown["favourited"] is True

    # The author renames themselves.
    await client.patch(
        "/api/v1/accounts/update_credentials",
        json={"display_name": "Friend Renamed"},
        headers=friend.headers,
    )
    account = (await home(client, reader))[0]["account"]
    assert isinstance(account, dict) and account["display_name"] == "Friend Renamed"

    # A deletion shows at once, before any job has taken it out of the timeline.
    await client.delete(f"/api/v1/statuses/{second}", headers=friend.headers)
    assert [s["id"] for s in await home(client, reader)] == [first]

    # A big account's post, merged at read time.
    from_star = await post(client, star, "from the star")
    assert [s["id"] for s in await home(client, reader)] == [from_star, first]

    # A mute hides their posts at once (and changes no count that would tell).
    await client.post(f"/api/v1/accounts/{friend.id}/mute", headers=reader.headers)
    assert [s["id"] for s in await home(client, reader)] == [from_star]


async def test_a_kept_page_follows_the_removal_of_an_author(scaled: Scaled) -> None:
    """What the removal job of an unfollow, block or mute does to the timeline."""
    runtime, client, factory = scaled
    reader, friend, other = [await factory.user(n) for n in ("reader", "friend", "other")]
    await follow(runtime, reader, friend, other)
    await home(client, reader)
    kept = await post(client, other, "stays")
    await post(client, friend, "goes")
    await runtime.jobs.drain()
    assert len(await home(client, reader)) == 2

    await runtime.timelines.remove_author(reader.account.id, friend.account.id)
    assert [s["id"] for s in await home(client, reader)] == [kept]


async def test_a_kept_page_is_only_for_the_token_that_asked(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await post(client, friend, "hello")
    assert len(await home(client, reader)) == 1

    narrow = await factory.token(reader, "write")
    answer = await client.get(HOME, headers={"Authorization": f"Bearer {narrow}"})
    assert answer.status_code == 403

    await revoke(runtime, reader, await factory.app())
    answer = await client.get(HOME, headers=reader.headers)
    assert answer.status_code == 401
    assert answer.json() == {"error": "The access token is invalid"}


async def test_kept_pages_lost_with_the_cache_cost_only_a_render(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await home(client, reader)
    posted = await post(client, friend, "hello")
    await runtime.jobs.drain()
    assert [s["id"] for s in await home(client, reader)] == [posted]
    await forget_everything(runtime)
    assert [s["id"] for s in await home(client, reader)] == [posted]
    later = await post(client, friend, "again")
    await runtime.jobs.drain()
    assert [s["id"] for s in await home(client, reader)] == [later, posted]


async def test_a_page_kept_by_one_process_is_served_by_another(
    scaled: Scaled, app_client: AppClient
) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await home(client, reader)
    posted = await post(client, friend, "hello")
    await runtime.jobs.drain()
    first = await client.get(HOME, headers=reader.headers)

    async with app_client(**SCALED) as (other_client, other):
        with statements(other) as seen:
            again = await other_client.get(HOME, headers=reader.headers)
        assert seen == [] and again.content == first.content
        # Each process keeps its own copy; a change is seen by both.
        await client.post(f"/api/v1/statuses/{posted}/favourite", headers=friend.headers)
        assert (await home(other_client, reader))[0]["favourites_count"] == 1
        assert (await home(client, reader))[0]["favourites_count"] == 1


async def test_pages_asked_for_together_each_get_their_own(scaled: Scaled) -> None:
    """Kept pages asked for in the same moment are checked by one script call."""
    runtime, client, factory = scaled
    friends = [await factory.user(f"friend{n}") for n in range(4)]
    readers = [await factory.user(f"reader{n}") for n in range(4)]
    for reader, friend in zip(readers, friends, strict=True):
        await follow(runtime, reader, friend)
        await home(client, reader)
    posted = [await post(client, friend, f"from {friend.id}") for friend in friends]
    await runtime.jobs.drain()
    for reader in readers:
        await home(client, reader)  # kept

    with statements(runtime) as seen:
        pages = await asyncio.gather(*(home(client, reader) for reader in readers * 3))
    assert seen == []
    assert [[s["id"] for s in page] for page in pages] == [[p] for p in posted] * 3


class NoNodeAnswers:
    """The kept pages of a Redis Cluster none of whose nodes answers: redis-py's cluster
    client gives up with ``RedisClusterUnreachableError``, not a ``RedisError``."""

    async def cached(self, digest: str, query: str) -> None:
        raise RedisClusterUnreachableError("Redis Cluster cannot be connected")


async def test_a_cluster_that_does_not_answer_leaves_the_read_to_the_app() -> None:
    """The app renders the page from SQL: no 503 (nor 500) from the kept-page check."""

    async def renders(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"rendered"})

    kept_pages = KeptPages(renders, cast(PageCache, NoNodeAnswers()))
    transport = httpx.ASGITransport(app=kept_pages)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        answer = await http.get(HOME, headers={"Authorization": "Bearer token"})
    assert (answer.status_code, answer.text) == (200, "rendered")
