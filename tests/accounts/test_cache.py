"""The account cache: rendered accounts are shared through Redis and change the moment
their rows do, even when a reader races the writer."""

from __future__ import annotations

import pytest

from roost.accounts import cache as account_cache_module
from tests.conftest import Scaled
from tests.timelines.helpers import HOME, follow, ids, post


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

    async def read_then_lose_the_race(session: object, ids: list[int], base_url: str) -> object:
        nonlocal raced
        rows = await real(session, ids, base_url)  # type: ignore[arg-type]
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
