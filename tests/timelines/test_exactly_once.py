"""DESIGN.md hard problem 1: a reader who polls for newer posts and pages back for
older ones sees every post of its home timeline exactly once, while several
people post at once and one delivery is held back and released later. The same
holds for a list timeline, and for a home fed by followed hashtags too."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.timelines.helpers import HOLD, HOME, HeldDeliveries, follow, link_cursor, post

WRITERS = 4
POSTS_EACH = 15
PAGE = 7


async def test_a_late_delivery_still_reaches_a_reader_polling_past_it(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, alice, bob = [await factory.user(name) for name in ("reader", "alice", "bob")]
    await follow(runtime, reader, alice, bob)
    assert (await client.get("/api/v1/timelines/home", headers=reader.headers)).json() == []
    async with HeldDeliveries(runtime, reader, monkeypatch) as held:
        await late_delivery_scenario(client, runtime, reader, alice, bob, held)


async def late_delivery_scenario(
    client: httpx.AsyncClient,
    runtime: Runtime,
    reader: User,
    alice: User,
    bob: User,
    held: HeldDeliveries,
) -> None:
    late = await post(client, alice, f"{HOLD} written first, delivered last")
    early = await post(client, bob, "written second, delivered first")
    for _ in range(500):  # until bob's post is in and alice's is stuck
        first = await client.get("/api/v1/timelines/home", headers=reader.headers)
        if held.waiting and first.json():
            break
        await asyncio.sleep(0.01)
    assert [s["id"] for s in first.json()] == [early]
    cursor = link_cursor(first, "prev")
    assert cursor is not None

    held.release()
    await runtime.jobs.drain()
    # The late post has the smaller id, yet it is new to this reader: it must come next,
    # whether the client polls with our cursor or with the id of the newest post it saw.
    for since in (cursor, early):
        newer = await client.get(
            "/api/v1/timelines/home", params={"min_id": since}, headers=reader.headers
        )
        assert [s["id"] for s in newer.json()] == [late]
    assert int(late) < int(early)


@pytest.mark.parametrize("cursor_style", ["link", "status_id"])
async def test_poll_and_page_back_see_every_post_exactly_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
    cursor_style: str,
) -> None:
    reader = await factory.user("reader")
    writers = [await factory.user(f"writer{i}") for i in range(WRITERS)]
    await follow(runtime, reader, *writers)
    async with HeldDeliveries(runtime, reader, monkeypatch) as held:
        await exactly_once_scenario(client, runtime, reader, writers, held, cursor_style)


async def exactly_once_scenario(
    client: httpx.AsyncClient,
    runtime: Runtime,
    reader: User,
    writers: list[User],
    held: HeldDeliveries,
    cursor_style: str,
    *,
    path: str = HOME,
    suffix: str = "",
) -> None:
    posted: list[str] = []
    rng = random.Random(7)

    async def write(writer: User, index: int) -> None:
        for n in range(POSTS_EACH):
            text = f"post {n} by {writer.account.username}{suffix}"
            if index == 1 and n == 2:
                text = f"{HOLD} {text}"
            posted.append(await post(client, writer, text))
            await asyncio.sleep(rng.random() / 100)

    seen: list[str] = []
    settled = asyncio.Event()
    reading = asyncio.create_task(
        read_everything(client, reader, seen, settled, cursor_style, path=path)
    )
    await asyncio.gather(*(write(w, i) for i, w in enumerate(writers)))
    assert held.waiting == 1  # the held post was really held back while others went through
    await asyncio.sleep(0.05)
    held.release()
    await runtime.jobs.drain()
    settled.set()
    await reading

    assert len(posted) == WRITERS * POSTS_EACH
    repeated = {status_id for status_id in seen if seen.count(status_id) > 1}
    assert not repeated, f"seen more than once: {repeated}"
    assert set(seen) == set(posted), f"missed: {set(posted) - set(seen)}"


async def read_everything(
    client: httpx.AsyncClient,
    reader: User,
    seen: list[str],
    settled: asyncio.Event,
    cursor_style: str,
    *,
    path: str = HOME,
) -> None:
    """Read like a client: a first page, then poll for newer and page back for older,
    until a poll begun after every delivery settled finds nothing left either way."""

    async def get(**params: str) -> tuple[list[str], str | None, str | None]:
        response = await client.get(path, params={"limit": PAGE, **params}, headers=reader.headers)
        assert response.status_code == 200, response.text
        ids = [status["id"] for status in response.json()]
        seen.extend(ids)
        if cursor_style == "link":
            return ids, link_cursor(response, "prev"), link_cursor(response, "next")
        return ids, (ids[0] if ids else None), (ids[-1] if ids else None)

    newest: str | None = None
    oldest: str | None = None
    while newest is None:
        _, newest, oldest = await get()
        await asyncio.sleep(0.005)
    older_left = True
    while True:
        final = settled.is_set()
        ids, prev, _ = await get(min_id=newest)
        while ids:
            newest = prev or newest
            ids, prev, _ = await get(min_id=newest)
        if older_left and oldest is not None:
            older, _, nxt = await get(max_id=oldest)
            older_left = bool(older)
            oldest = nxt or oldest
        if final and not older_left:
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("cursor_style", ["link", "status_id"])
async def test_a_list_timeline_sees_every_post_exactly_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
    cursor_style: str,
) -> None:
    reader = await factory.user("reader")
    writers = [await factory.user(f"writer{i}") for i in range(WRITERS)]
    await follow(runtime, reader, *writers)
    made = await client.post("/api/v1/lists", json={"title": "all"}, headers=reader.headers)
    list_id = made.json()["id"]
    added = await client.post(
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [w.id for w in writers]},
        headers=reader.headers,
    )
    assert added.status_code == 200
    await runtime.jobs.drain()
    async with HeldDeliveries(runtime, reader, monkeypatch, list_id=int(list_id)) as held:
        await exactly_once_scenario(
            client,
            runtime,
            reader,
            writers,
            held,
            cursor_style,
            path=f"/api/v1/timelines/list/{list_id}",
        )


@pytest.mark.parametrize("cursor_style", ["link", "status_id"])
async def test_a_home_fed_by_followed_tags_sees_every_post_exactly_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
    cursor_style: str,
) -> None:
    """Every post carries two followed tags, and half the writers are followed too: each
    post still comes once."""
    reader = await factory.user("reader")
    writers = [await factory.user(f"writer{i}") for i in range(WRITERS)]
    await follow(runtime, reader, *writers[: WRITERS // 2])
    for tag in ("cats", "dogs"):
        followed = await client.post(f"/api/v1/tags/{tag}/follow", headers=reader.headers)
        assert followed.status_code == 200
    await runtime.jobs.drain()
    async with HeldDeliveries(runtime, reader, monkeypatch) as held:
        await exactly_once_scenario(
            client, runtime, reader, writers, held, cursor_style, suffix=" #cats #dogs"
        )
