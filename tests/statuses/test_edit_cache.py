"""An edit shows at once everywhere the post is kept: the status cache of this and of
other processes, and kept home pages; so do the viewer's bookmark, pin and mute marks."""

from __future__ import annotations

import httpx

from tests.conftest import SCALED, AppClient, Scaled
from tests.factories import User
from tests.statuses.helpers import home
from tests.timelines.helpers import follow, post


async def edit(client: httpx.AsyncClient, author: User, status_id: str, text: str) -> None:
    response = await client.put(
        f"/api/v1/statuses/{status_id}", json={"status": text}, headers=author.headers
    )
    assert response.status_code == 200, response.text


async def test_an_edit_shows_at_once_in_a_kept_home_page(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader, friend = await factory.user("reader"), await factory.user("friend")
    await follow(runtime, reader, friend)
    await home(client, reader)
    posted = await post(client, friend, "before")
    await runtime.jobs.drain()
    first = await client.get("/api/v1/timelines/home", headers=reader.headers)
    again = await client.get("/api/v1/timelines/home", headers=reader.headers)
    assert again.content == first.content  # kept
    await edit(client, friend, posted, "after")
    shown = (await home(client, reader))[0]
    assert "after" in shown["content"] and shown["edited_at"] is not None


async def test_an_edit_reaches_another_processs_copy(scaled: Scaled, app_client: AppClient) -> None:
    runtime, client, factory = scaled
    reader, friend, bob = [await factory.user(n) for n in ("reader", "friend", "bob")]
    await follow(runtime, reader, friend)
    await home(client, reader)
    await home(client, bob)
    public = await post(client, friend, "public before")
    direct = await post(client, friend, "@bob before", visibility="direct")
    await runtime.jobs.drain()

    async with app_client(**SCALED) as (other_client, _):
        # The other process reads (and keeps) both posts first.
        assert "before" in (await home(other_client, reader))[0]["content"]
        assert [s["id"] for s in await home(other_client, bob)] == [direct]
        await edit(client, friend, public, "public after")
        await edit(client, friend, direct, "no longer for anyone")
        assert "after" in (await home(other_client, reader))[0]["content"]
        # Bob is no longer mentioned: the direct post is no longer his to read.
        assert await home(other_client, bob) == []
        response = await other_client.get(f"/api/v1/statuses/{direct}", headers=bob.headers)
        assert response.status_code == 404


async def test_a_stale_copy_is_rebuilt_when_shown(scaled: Scaled) -> None:
    """A reader that built the post before the edit committed may store it after the
    edit forgot it: the next render finds it older than ``edited_at`` and reads it again."""
    runtime, client, factory = scaled
    author = await factory.user("author")
    posted = await post(client, author, "old words")
    async with runtime.db.read() as session:
        stale = (await runtime.statuses.load(session, [int(posted)]))[int(posted)]
    await edit(client, author, posted, "new words")
    await runtime.statuses.put_many([stale])
    shown = (await client.get(f"/api/v1/statuses/{posted}")).json()
    assert "new words" in shown["content"] and shown["edited_at"] is not None
    # And the copy kept now is the new one.
    async with runtime.db.read() as session:
        kept = (await runtime.statuses.load(session, [int(posted)]))[int(posted)]
    assert "new words" in kept.body["content"]


async def test_the_viewers_marks_show_at_once_in_a_kept_page(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    reader = await factory.user("reader")
    await home(client, reader)
    posted = await post(client, reader, "mine")
    await runtime.jobs.drain()
    assert (await home(client, reader))[0]["bookmarked"] is False
    url = f"/api/v1/statuses/{posted}"
    for action, field, value in (
        ("bookmark", "bookmarked", True),
        ("pin", "pinned", True),
        ("mute", "muted", True),
        ("unbookmark", "bookmarked", False),
        ("unpin", "pinned", False),
        ("unmute", "muted", False),
    ):
        response = await client.post(f"{url}/{action}", headers=reader.headers)
        assert response.status_code == 200, response.text
        assert (await home(client, reader))[0][field] is value, action
