"""The status cache: what a post says is rendered once and shared by every process
through Redis; what changes (counts, deletion, the viewer's marks) is always fresh."""

from __future__ import annotations

from sqlalchemy import update

from roost.runtime import Runtime
from roost.statuses.models import Status
from roost.statuses.render import render_statuses
from tests.conftest import Scaled
from tests.factories import User
from tests.timelines.helpers import HOME, follow, forget_everything, ids, post


async def test_cached_posts_show_fresh_counts_and_marks_and_vanish_when_deleted(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, alice, bob)
    await ids(client, alice.headers)
    kept, doomed = await post(client, bob, "stays"), await post(client, bob, "goes")
    await runtime.jobs.drain()
    first = (await client.get(HOME, headers=alice.headers)).json()
    assert [s["favourites_count"] for s in first] == [0, 0]

    favourite = await client.post(f"/api/v1/statuses/{kept}/favourite", headers=alice.headers)
    assert favourite.status_code == 200
    deleted = await client.delete(f"/api/v1/statuses/{doomed}", headers=bob.headers)
    assert deleted.status_code == 200
    # Straight away, before any job has taken the post out of the timeline:
    again = (await client.get(HOME, headers=alice.headers)).json()
    assert [s["id"] for s in again] == [kept]
    assert again[0]["favourites_count"] == 1 and again[0]["favourited"] is True
    assert again[0]["account"]["statuses_count"] == 1


async def test_every_process_shares_the_cache_and_a_lost_cache_is_rebuilt(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, alice, bob)
    posted = await post(client, bob, "said once, rendered once")
    await runtime.jobs.drain()
    assert await ids(client, alice.headers) == [posted]

    # Another process (its own runtime, empty in-process cache, same Redis) renders
    # the post from Redis: it shows the cached text even though the row changed
    # under it (which Roost never does: posts are not edited).
    async with runtime.db.write() as session:
        await session.execute(
            update(Status).where(Status.id == int(posted)).values(content="<p>changed</p>")
        )
        await session.commit()
    other = Runtime(runtime.settings)
    await other.start(sweep=False)
    try:
        assert (
            await rendered_content(other, int(posted), alice) == "<p>said once, rendered once</p>"
        )
    finally:
        await other.stop()

    # Lost with everything else in Redis: rebuilt from SQL (now the changed row).
    await forget_everything(runtime)
    third = Runtime(runtime.settings)
    await third.start(sweep=False)
    try:
        assert await rendered_content(third, int(posted), alice) == "<p>changed</p>"
    finally:
        await third.stop()


async def rendered_content(runtime: Runtime, status_id: int, viewer: User) -> str:
    async with runtime.db.read() as session:
        row = await session.get(Status, status_id)
        assert row is not None
        rendered = await render_statuses(session, [row], viewer.account.id, runtime=runtime)
    return str(rendered[0]["content"])
