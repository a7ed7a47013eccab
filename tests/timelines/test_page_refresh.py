"""Kept home pages rendered again when their timeline moves (timelines/page_refresh.py):
the reader's next read is a kept page that already shows the new post, and costs no
SQL. Here the refreshes run in the test's process, as the worker runs them."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from roost.runtime import Runtime
from roost.timelines import page_refresh
from roost.timelines.page_cache import (
    PAGE_TTL_SECONDS,
    RECENT_READ_SECONDS,
    KeptPage,
    PageCache,
)
from roost.timelines.page_refresh import refresh_pages
from tests.conftest import Scaled
from tests.factories import User
from tests.sql import statements
from tests.timelines.helpers import HOLD, HOME, HeldDeliveries, follow, post, revoke


async def home(client: httpx.AsyncClient, user: User) -> list[str]:
    response = await client.get(HOME, headers=user.headers)
    assert response.status_code == 200, response.text
    return [status["id"] for status in response.json()]


def pages_of(runtime: Runtime) -> PageCache:
    assert runtime.page_cache is not None
    return runtime.page_cache


async def refresh_noted(runtime: Runtime) -> list[int]:
    """What the worker does after its fan-outs: render again the pages of the owners they
    noted; returns those owners."""
    owners = await pages_of(runtime).changed()
    await refresh_pages(runtime, pages_of(runtime), owners)
    return owners


async def reader_with_a_kept_page(scaled: Scaled) -> tuple[PageCache, User, User, KeptPage]:
    """A reader of a friend's posts who read home (kept); changes are noted from now."""
    runtime, client, factory = scaled
    pages = pages_of(runtime)
    pages.collect_changes()
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await home(client, reader)
    [kept] = await pages.kept_for(reader.account.id)
    return pages, reader, friend, kept


async def test_the_next_read_after_a_delivery_is_a_kept_page_with_the_post(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    pages_of(runtime).collect_changes()
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    assert await home(client, reader) == []
    assert await home(client, friend) == []

    posted = await post(client, friend, "hello")
    await runtime.jobs.drain()
    later = await post(client, friend, "again")
    await runtime.jobs.drain()
    # The follower's delivery and the author's own, each noted once.
    assert await refresh_noted(runtime) == sorted([reader.account.id, friend.account.id])

    for person in (reader, friend):
        with statements(runtime) as seen:
            assert await home(client, person) == [later, posted]
        assert seen == []


async def test_a_page_not_read_lately_is_left_to_its_next_read(scaled: Scaled) -> None:
    runtime, client, _ = scaled
    pages, reader, friend, kept = await reader_with_a_kept_page(scaled)
    assert runtime.redis is not None
    # Last read RECENT_READ_SECONDS ago, and a little more.
    await runtime.redis.expire(kept.key, PAGE_TTL_SECONDS - RECENT_READ_SECONDS - 1)
    assert await pages.kept_for(reader.account.id) == []

    posted = await post(client, friend, "hello")
    await runtime.jobs.drain()
    await refresh_noted(runtime)
    with statements(runtime) as seen:
        assert await home(client, reader) == [posted]
    assert seen != []  # rendered by the read


async def test_a_page_whose_token_was_revoked_is_dropped(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    pages, reader, friend, kept = await reader_with_a_kept_page(scaled)
    await revoke(runtime, reader, await factory.app())

    await post(client, friend, "hello")
    await runtime.jobs.drain()
    await refresh_noted(runtime)
    assert runtime.redis is not None
    assert await runtime.redis.exists(kept.key) == 0
    assert (await client.get(HOME, headers=reader.headers)).status_code == 401


async def test_pages_are_rendered_again_after_the_jobs_running(
    scaled: Scaled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fan-out under way goes first: the renders ahead wait until no job is running."""
    runtime, client, factory = scaled
    pages = pages_of(runtime)
    pages.collect_changes()
    reader, friend, other = [await factory.user(n) for n in ("reader", "friend", "other")]
    await follow(runtime, reader, friend)
    await follow(runtime, other, friend)
    await home(client, reader)
    posted = await post(client, friend, "hello")
    await runtime.jobs.drain()
    noted = await pages.changed()

    async with HeldDeliveries(runtime, other, monkeypatch) as held:
        late = await post(client, friend, f"{HOLD} held on its way to other (and reader)")
        for _ in range(500):  # until its fan-out job is running, stuck
            if held.waiting:
                break
            await asyncio.sleep(0.01)
        assert held.waiting
        refreshing = asyncio.create_task(refresh_pages(runtime, pages, noted))
        await asyncio.sleep(0.3)
        assert not refreshing.done()
        held.release()
        await asyncio.wait_for(refreshing, 10)
    # Rendered once the fan-out had ended: with what it delivered.
    with statements(runtime) as seen:
        assert await home(client, reader) == [late, posted]
    assert seen == []


async def test_a_database_outage_leaves_the_pages_to_their_reads(
    scaled: Scaled, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No traceback for each owner while the database is unreachable: the kept page
    stays, to be checked (and rendered) by its next read."""
    runtime, client, _ = scaled
    pages, reader, friend, kept = await reader_with_a_kept_page(scaled)
    posted = await post(client, friend, "hello")
    await runtime.jobs.drain()

    async def unreachable(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("the database is down")

    monkeypatch.setattr(page_refresh.service, "render_home", unreachable)
    with caplog.at_level(logging.ERROR):
        await refresh_pages(runtime, pages, await pages.changed())
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    monkeypatch.undo()
    assert await home(client, reader) == [posted]
