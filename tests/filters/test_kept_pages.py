"""Kept home pages (timelines/page_cache.py) are rendered with the owner's filters: a
change to them spoils the owner's kept pages at once, and a filter that will expire
keeps none (the page must not outlive it)."""

from __future__ import annotations

import httpx

from tests.conftest import Scaled
from tests.factories import User
from tests.filters.helpers import FILTERS, make_filter
from tests.sql import statements
from tests.timelines.helpers import HOME, follow, post


async def texts(client: httpx.AsyncClient, user: User) -> list[str]:
    response = await client.get(HOME, headers=user.headers)
    assert response.status_code == 200, response.text
    return [s["content"] for s in response.json()]


async def test_a_filter_change_spoils_the_owners_kept_page(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    for text in ("about tea", "about coffee"):
        await post(client, friend, text)
        await runtime.jobs.drain()
    shown = await texts(client, reader)
    assert len(shown) == 2
    with statements(runtime) as seen:
        assert await texts(client, reader) == shown
    assert seen == []  # kept

    made = await make_filter(client, reader, "coffee", context=("home",), action="hide")
    assert await texts(client, reader) == ["<p>about tea</p>"]
    with statements(runtime) as seen:
        assert await texts(client, reader) == ["<p>about tea</p>"]
    assert seen == []  # kept again, with the filter

    keyword = made["keywords"][0]["id"]
    await client.put(
        f"{FILTERS}/keywords/{keyword}", json={"keyword": "tea"}, headers=reader.headers
    )
    assert await texts(client, reader) == ["<p>about coffee</p>"]
    await client.delete(f"{FILTERS}/{made['id']}", headers=reader.headers)
    assert await texts(client, reader) == shown


async def test_a_filter_that_will_expire_keeps_no_page(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await post(client, friend, "about tea")
    await runtime.jobs.drain()
    await make_filter(client, reader, "tea", context=("home",), expires_in=60)
    await texts(client, reader)
    with statements(runtime) as seen:
        await texts(client, reader)
    assert seen != []  # rendered again: a kept copy could outlive the filter


async def test_another_persons_filters_leave_a_kept_page_alone(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, other, friend = [await factory.user(n) for n in ("reader", "other", "friend")]
    await follow(runtime, reader, friend)
    await post(client, friend, "about tea")
    await runtime.jobs.drain()
    await texts(client, reader)
    await make_filter(client, other, "tea", context=("home",), action="hide")
    with statements(runtime) as seen:
        assert await texts(client, reader) == ["<p>about tea</p>"]
    assert seen == []
