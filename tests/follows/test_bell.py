"""The bell (``notify`` on a follow): a ``status`` notification when the account posts,
sent by the post's fan-out job after it commits, as Mastodon decides it."""

from __future__ import annotations

import httpx

from roost.notifications.subscribers import notify_subscribers
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.follows.test_requests import act, relationship
from tests.timelines.helpers import post


async def told_of(client: httpx.AsyncClient, user: User) -> list[str]:
    """The ids of the posts the user was told of by the bell, in post order: each post's
    job tells, and jobs may run in any order, so the notifications' own order is theirs."""
    response = await client.get(
        "/api/v1/notifications", params={"types[]": "status"}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    for notification in response.json():
        assert notification["type"] == "status"
        assert notification["status"]["id"] is not None
    return sorted((n["status"]["id"] for n in response.json()), key=int)


async def test_the_bell_tells_of_new_posts_and_self_replies_only(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    rung = await act(client, bob, f"/api/v1/accounts/{alice.id}/follow", notify=True)
    assert rung["notifying"] is True
    await act(client, carol, f"/api/v1/accounts/{alice.id}/follow")  # no bell

    public = await post(client, alice, "hello")
    private = await post(client, alice, "for followers", visibility="private")
    thread = await post(client, alice, "more", in_reply_to_id=public)
    carols = await post(client, carol, "carol here")
    await post(client, alice, "reply to carol", in_reply_to_id=carols)
    await post(client, alice, "@bob psst", visibility="direct")
    await client.post(f"/api/v1/statuses/{carols}/reblog", headers=alice.headers)
    await runtime.jobs.drain()

    assert await told_of(client, bob) == [public, private, thread]
    assert await told_of(client, carol) == []
    # A job run twice tells nobody twice.
    await notify_subscribers(runtime, status_id=int(public), author_id=alice.account.id)
    assert await told_of(client, bob) == [public, private, thread]


async def test_no_bell_across_a_mute_or_a_block(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    for fan in (bob, carol):
        await act(client, fan, f"/api/v1/accounts/{alice.id}/follow", notify=True)
    await act(client, bob, f"/api/v1/accounts/{alice.id}/mute", notifications=False)
    await act(client, carol, f"/api/v1/accounts/{alice.id}/unfollow")
    await post(client, alice, "hello")
    await runtime.jobs.drain()
    assert await told_of(client, bob) == []
    assert await told_of(client, carol) == []


async def test_pleroma_subscribe_rings_the_bell(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    path = f"/api/v1/pleroma/accounts/{alice.id}"
    refused = await client.post(f"{path}/subscribe", headers=bob.headers)
    assert refused.status_code == 403  # nothing to ring without a follow
    assert "error" in refused.json()

    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow", reblogs=False)
    subscribed = await act(client, bob, f"{path}/subscribe")
    assert subscribed["notifying"] is True
    assert subscribed["showing_reblogs"] is False  # the other options stay
    first = await post(client, alice, "one")
    await runtime.jobs.drain()
    assert await told_of(client, bob) == [first]

    unsubscribed = await act(client, bob, f"{path}/unsubscribe")
    assert unsubscribed["notifying"] is False
    assert (await relationship(client, bob, alice))["notifying"] is False
    await post(client, alice, "two")
    await runtime.jobs.drain()
    assert await told_of(client, bob) == [first]
    missing = await client.post("/api/v1/pleroma/accounts/12345/subscribe", headers=bob.headers)
    assert missing.status_code == 404
