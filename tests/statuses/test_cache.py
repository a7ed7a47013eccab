"""The cost of a home read and the status cache behind it: what a post says is
rendered once and shared by every process through Redis, what changes (counts,
deletion, the viewer's marks) is always fresh, and a read with nothing new from
big accounts asks SQL nothing about them."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from roost.accounts import cache as account_cache_module
from roost.core.runtime import Runtime
from roost.statuses.models import Status
from roost.statuses.render import render_statuses
from tests.conftest import Scaled
from tests.factories import User
from tests.sql import statements
from tests.timelines.helpers import HOME, follow, forget_everything, ids, make_big, post


async def test_a_warm_home_read_costs_a_few_statements_whatever_the_big_accounts(
    scaled: Scaled,
) -> None:
    runtime, client, factory = scaled
    reader, star, friend = [await factory.user(n) for n in ("reader", "star", "friend")]
    await follow(runtime, reader, star, friend)
    await make_big(runtime, star.account.id)
    await ids(client, reader.headers)
    posted = [await post(client, star, "from the star"), await post(client, friend, "hi")]
    await runtime.jobs.drain()

    with statements(runtime) as first:
        assert set(await ids(client, reader.headers)) == set(posted)
    assert any("FROM statuses" in s and "account_id =" in s for s in first)  # merged
    with statements(runtime) as steady:
        assert set(await ids(client, reader.headers)) == set(posted)
    # The token, the relations, counts, authors, the viewer's marks: nothing per post,
    # nothing about the big account, which has posted nothing since.
    assert len(steady) <= 4, steady

    later = await post(client, star, "and again")
    page = await ids(client, reader.headers)
    assert page[0] == later and page.count(posted[0]) == 1


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
        rendered = await render_statuses(session, [row], viewer.account.id)
    return str(rendered[0]["content"])


async def test_cached_authors_change_the_moment_their_accounts_do(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    await follow(runtime, alice, bob)
    await ids(client, alice.headers)
    await post(client, bob, "hello")
    await runtime.jobs.drain()

    async def author() -> dict[str, object]:
        page = (await client.get(HOME, headers=alice.headers)).json()
        return dict(page[0]["account"])

    assert (await author())["followers_count"] == 0  # the follow above skipped the API
    assert (await author())["display_name"] == ""
    followed = await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=carol.headers)
    assert followed.status_code == 200
    assert (await author())["followers_count"] == 1
    edited = await client.patch(
        "/api/v1/accounts/update_credentials",
        data={"display_name": "Bob B."},
        headers=bob.headers,
    )
    assert edited.status_code == 200
    assert (await author())["display_name"] == "Bob B."
    await post(client, bob, "again")
    assert (await author())["statuses_count"] == 2


async def test_a_reader_racing_a_writer_never_leaves_a_stale_account_behind(
    scaled: Scaled, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader reads the row, the writer commits and invalidates, then the reader
    stores what it read: the next reader must still see the change."""
    runtime, client, factory = scaled
    bob = await factory.user("bob")
    real = account_cache_module._from_sql
    raced = False

    async def read_then_lose_the_race(session: object, ids: list[int]) -> object:
        nonlocal raced
        rows = await real(session, ids)  # type: ignore[arg-type]
        if not raced:
            raced = True
            edited = await client.patch(
                "/api/v1/accounts/update_credentials",
                data={"display_name": "new name"},
                headers=bob.headers,
            )
            assert edited.status_code == 200
        return rows

    monkeypatch.setattr(account_cache_module, "_from_sql", read_then_lose_the_race)
    async with runtime.db.read() as session:
        first = await runtime.accounts.rendered(session, [bob.account.id])
    assert first[bob.account.id]["display_name"] == ""  # read before the edit
    async with runtime.db.read() as session:
        second = await runtime.accounts.rendered(session, [bob.account.id])
    assert raced and second[bob.account.id]["display_name"] == "new name"
