"""The timeline endpoints: who sees what, paging, and bad input."""

from __future__ import annotations

import httpx
import pytest

from roost.core.db import commit
from roost.core.ids import new_id
from roost.follows.models import Block, Mute
from roost.runtime import Runtime
from tests.factories import Factory
from tests.timelines.helpers import HOME, follow, ids, link_cursor, post


async def test_home_needs_a_token_with_read_scope(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    anonymous = await client.get(HOME)
    assert anonymous.status_code == 401
    assert "error" in anonymous.json()
    write_only = await factory.token(alice, "write")
    refused = await client.get(HOME, headers={"Authorization": f"Bearer {write_only}"})
    assert refused.status_code == 403
    bogus = await client.get(HOME, headers={"Authorization": "Bearer not-a-token"})
    assert bogus.status_code == 401


async def test_blocked_and_muted_authors_leave_home(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice, bob, carl = [await factory.user(n) for n in ("alice", "bob", "carl")]
    await follow(runtime, alice, bob, carl)
    from_bob = await post(client, bob, "bob speaking")
    from_carl = await post(client, carl, "carl speaking")
    await runtime.jobs.drain()
    assert set(await ids(client, alice.headers)) == {from_bob, from_carl}
    async with runtime.db.write() as session:
        session.add(
            Mute(id=new_id(), account_id=alice.account.id, target_account_id=bob.account.id)
        )
        session.add(
            Block(id=new_id(), account_id=carl.account.id, target_account_id=alice.account.id)
        )
        # As the follow verbs do: her kept pages no longer hold.
        runtime.versions.forget(session, "home", [alice.account.id])
        await commit(session)
    assert await ids(client, alice.headers) == []


async def test_home_paging_with_links_and_with_status_ids(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, alice, bob)
    posted = [await post(client, bob, f"number {n}") for n in range(9)]
    await runtime.jobs.drain()
    newest_first = list(reversed(posted))

    first = await client.get(HOME, params={"limit": 4}, headers=alice.headers)
    assert [s["id"] for s in first.json()] == newest_first[:4]
    link = first.headers["link"]
    assert link.startswith("<http://localhost/api/v1/timelines/home?") and 'rel="next"' in link
    assert link.index('rel="next"') < link.index('rel="prev"')
    assert "limit=4" in link

    second = await ids(client, alice.headers, limit=4, max_id=link_cursor(first, "next"))
    assert second == newest_first[4:8]
    # A client that sends the last status id it saw pages on from that post.
    assert await ids(client, alice.headers, limit=4, max_id=newest_first[3]) == second
    # min_id takes the posts just after it, still newest first; since_id the newest.
    assert await ids(client, alice.headers, limit=2, min_id=newest_first[5]) == newest_first[3:5]
    assert await ids(client, alice.headers, limit=2, since_id=newest_first[5]) == newest_first[:2]
    empty = await client.get(HOME, params={"min_id": newest_first[0]}, headers=alice.headers)
    assert empty.json() == [] and "link" not in empty.headers


@pytest.mark.parametrize(
    ("params", "status"),
    [({"limit": "abc"}, 422), ({"max_id": "x1"}, 422), ({"since_id": "-"}, 422)],
)
async def test_bad_paging_parameters_are_4xx(
    client: httpx.AsyncClient, factory: Factory, params: dict[str, str], status: int
) -> None:
    alice = await factory.user("alice")
    response = await client.get(HOME, params=params, headers=alice.headers)
    assert response.status_code == status
    assert "error" in response.json()


async def test_limit_is_clamped(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    for n in range(3):
        await post(client, alice, f"{n}")
    assert len(await ids(client, alice.headers, limit=0)) == 1
    assert len(await ids(client, alice.headers, limit=1000)) == 3


async def test_public_timeline_shows_public_posts_to_anyone(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    bob, alice = await factory.user("bob"), await factory.user("alice")
    public = await post(client, bob, "hello world")
    await post(client, bob, "quiet", visibility="unlisted")
    await post(client, bob, "friends", visibility="private")
    await post(client, bob, "@alice secret", visibility="direct")
    boost = await client.post(f"/api/v1/statuses/{public}/reblog", headers=alice.headers)
    assert boost.status_code == 200
    own_thread = await post(client, bob, "more", in_reply_to_id=public)
    other_thread = await post(client, alice, "@bob hi", in_reply_to_id=public)

    response = await client.get("/api/v1/timelines/public")
    shown = [s["id"] for s in response.json()]
    assert shown == [own_thread, public]
    assert other_thread not in shown
    assert (await client.get("/api/v1/timelines/public", params={"remote": "true"})).json() == []
    local = await client.get("/api/v1/timelines/public", params={"local": "True"})
    assert [s["id"] for s in local.json()] == shown


async def test_public_timeline_hides_blocked_people(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    bob, alice = await factory.user("bob"), await factory.user("alice")
    await post(client, bob, "hello")
    async with runtime.db.write() as session:
        session.add(
            Block(id=new_id(), account_id=bob.account.id, target_account_id=alice.account.id)
        )
        await session.commit()
    seen = await client.get("/api/v1/timelines/public", headers=alice.headers)
    assert seen.json() == []


async def test_tag_timeline(client: httpx.AsyncClient, factory: Factory) -> None:
    bob = await factory.user("bob")
    tagged = await post(client, bob, "I like #Birds")
    await post(client, bob, "and #birds in private", visibility="private")
    await post(client, bob, "no tag here")
    for name in ("birds", "BIRDS", "%23birds"):
        response = await client.get(f"/api/v1/timelines/tag/{name}")
        assert [s["id"] for s in response.json()] == [tagged]
    assert (await client.get("/api/v1/timelines/tag/fish")).json() == []


async def test_account_statuses_respect_privacy(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    bob, follower, stranger = [await factory.user(n) for n in ("bob", "follower", "stranger")]
    await follow(runtime, follower, bob)
    public = await post(client, bob, "public")
    unlisted = await post(client, bob, "unlisted", visibility="unlisted")
    private = await post(client, bob, "private", visibility="private")
    direct = await post(client, bob, "@follower direct", visibility="direct")
    url = f"/api/v1/accounts/{bob.id}/statuses"

    async def ids(headers: dict[str, str] | None = None, **params: str | int | None) -> list[str]:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 200
        return [s["id"] for s in response.json()]

    assert await ids() == [unlisted, public]
    assert await ids(stranger.headers) == [unlisted, public]
    assert await ids(follower.headers) == [direct, private, unlisted, public]
    assert await ids(bob.headers) == [direct, private, unlisted, public]
    assert await ids(pinned="true") == []
    assert await ids(only_media="1") == []
    assert (await client.get("/api/v1/accounts/999/statuses")).status_code == 404
    assert (await client.get("/api/v1/accounts/abc/statuses")).status_code == 404


async def test_account_statuses_filters(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    bob, alice = await factory.user("bob"), await factory.user("alice")
    theirs = await post(client, alice, "alice's post")
    mine = await post(client, bob, "a thought")
    self_reply = await post(client, bob, "a follow-up", in_reply_to_id=mine)
    reply = await post(client, bob, "@alice a reply", in_reply_to_id=theirs)
    boost = (await client.post(f"/api/v1/statuses/{theirs}/reblog", headers=bob.headers)).json()
    url = f"/api/v1/accounts/{bob.id}/statuses"
    everything = [s["id"] for s in (await client.get(url)).json()]
    assert everything == [boost["id"], reply, self_reply, mine]
    no_replies = await client.get(url, params={"exclude_replies": "1"})
    assert [s["id"] for s in no_replies.json()] == [boost["id"], self_reply, mine]
    no_boosts = await client.get(url, params={"exclude_reblogs": "true"})
    assert [s["id"] for s in no_boosts.json()] == [reply, self_reply, mine]
    assert (await client.get(url)).json()[0]["reblog"]["id"] == theirs


async def test_favourites_list(client: httpx.AsyncClient, factory: Factory) -> None:
    bob, alice = await factory.user("bob"), await factory.user("alice")
    first = await post(client, bob, "one")
    second = await post(client, bob, "two")
    for status_id in (second, first):
        response = await client.post(
            f"/api/v1/statuses/{status_id}/favourite", headers=alice.headers
        )
        assert response.status_code == 200
    listed = await client.get("/api/v1/favourites", headers=alice.headers)
    assert [s["id"] for s in listed.json()] == [first, second]
    assert all(s["favourited"] for s in listed.json())
    assert (await client.get("/api/v1/favourites")).status_code == 401
