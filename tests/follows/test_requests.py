"""Locked accounts: following one asks, and only its owner's answer makes a follow."""

from __future__ import annotations

import httpx

from roost.follows import requests
from roost.follows.models import Follow, FollowRequest
from roost.notifications.models import Notification
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.follows.test_follow import count_rows, counts
from tests.timelines.helpers import link_cursor, post


async def act(
    client: httpx.AsyncClient, user: User, path: str, **data: object
) -> dict[str, object]:
    response = await client.post(path, headers=user.headers, json=data or None)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def relationship(client: httpx.AsyncClient, viewer: User, other: User) -> dict[str, object]:
    response = await client.get(
        "/api/v1/accounts/relationships", params={"id[]": other.id}, headers=viewer.headers
    )
    found: dict[str, object] = response.json()[0]
    return found


async def notification_types(client: httpx.AsyncClient, user: User) -> list[tuple[str, str]]:
    """(type, actor id) of the user's notifications, newest first."""
    response = await client.get("/api/v1/notifications", headers=user.headers)
    assert response.status_code == 200, response.text
    return [(n["type"], n["account"]["id"]) for n in response.json()]


async def requests_count(client: httpx.AsyncClient, user: User) -> int:
    me = await client.get("/api/v1/accounts/verify_credentials", headers=user.headers)
    return int(me.json()["source"]["follow_requests_count"])


async def test_following_a_locked_account_asks_and_follows_nobody(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    bob = await factory.user("bob")
    for _ in range(2):  # asking twice is asking once (the options are updated)
        asked = await act(client, bob, f"/api/v1/accounts/{alice.id}/follow", notify=True)
        assert asked["following"] is False
        assert asked["requested"] is True
        assert asked["notifying"] is True  # the options asked for, as Mastodon shows them
    assert await count_rows(runtime, Follow) == 0
    assert await count_rows(runtime, FollowRequest) == 1
    assert await counts(runtime, bob) == (0, 0)
    assert await counts(runtime, alice) == (0, 0)

    seen_by_alice = await relationship(client, alice, bob)
    assert seen_by_alice["requested_by"] is True
    assert seen_by_alice["followed_by"] is False
    assert await notification_types(client, alice) == [("follow_request", bob.id)]
    assert await requests_count(client, alice) == 1
    assert await requests_count(client, bob) == 0
    shown = await client.get(f"/api/v1/accounts/{alice.id}", headers=bob.headers)
    assert shown.json()["locked"] is True
    assert shown.json()["followers_count"] == 0


async def test_the_list_of_requests_pages_newest_first(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice", locked=True)
    askers = [await factory.user(name) for name in ("bob", "carol", "dave")]
    for asker in askers:
        await act(client, asker, f"/api/v1/accounts/{alice.id}/follow")

    first = await client.get("/api/v1/follow_requests", params={"limit": 2}, headers=alice.headers)
    assert first.status_code == 200
    assert [a["id"] for a in first.json()] == [askers[2].id, askers[1].id]
    older = link_cursor(first, "next")
    assert older is not None
    rest = await client.get(
        "/api/v1/follow_requests", params={"limit": 2, "max_id": older}, headers=alice.headers
    )
    assert [a["id"] for a in rest.json()] == [askers[0].id]
    # Nobody else sees them; a token without read:follows may not ask.
    assert (await client.get("/api/v1/follow_requests", headers=askers[0].headers)).json() == []
    assert (await client.get("/api/v1/follow_requests")).status_code == 401


async def test_authorizing_makes_the_follow_it_asked_for(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    bob = await factory.user("bob")
    earlier = await post(client, alice, "for my followers", visibility="private")
    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow", reblogs=False, notify=True)

    answered = await act(client, alice, f"/api/v1/follow_requests/{bob.id}/authorize")
    assert answered["id"] == bob.id
    assert answered["followed_by"] is True
    assert answered["requested_by"] is False
    seen_by_bob = await relationship(client, bob, alice)
    assert seen_by_bob["following"] is True
    assert seen_by_bob["requested"] is False
    assert seen_by_bob["showing_reblogs"] is False  # the options asked for
    assert seen_by_bob["notifying"] is True
    assert await counts(runtime, bob) == (1, 0)
    assert await counts(runtime, alice) == (0, 1)
    assert await count_rows(runtime, FollowRequest) == 0
    # As on Mastodon, the request's notification goes with it.
    assert await notification_types(client, alice) == []
    assert await requests_count(client, alice) == 0
    # The back-fill of a follow: alice's earlier followers-only post is in bob's home.
    await runtime.jobs.drain()
    home = await client.get("/api/v1/timelines/home", headers=bob.headers)
    assert [s["id"] for s in home.json()] == [earlier]

    again = await client.post(f"/api/v1/follow_requests/{bob.id}/authorize", headers=alice.headers)
    assert again.status_code == 404
    assert "error" in again.json()
    assert await counts(runtime, alice) == (0, 1)


async def test_rejecting_leaves_no_follow(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    bob = await factory.user("bob")
    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow")

    answered = await act(client, alice, f"/api/v1/follow_requests/{bob.id}/reject")
    assert answered["followed_by"] is False
    assert answered["requested_by"] is False
    assert (await relationship(client, bob, alice))["requested"] is False
    assert await count_rows(runtime, Follow) == 0
    assert await count_rows(runtime, FollowRequest) == 0
    assert await count_rows(runtime, Notification) == 0
    for verb in ("authorize", "reject"):
        gone = await client.post(f"/api/v1/follow_requests/{bob.id}/{verb}", headers=alice.headers)
        assert gone.status_code == 404
    for bad in ("nope", "0", "99999999999999999999999"):
        response = await client.post(
            f"/api/v1/follow_requests/{bad}/authorize", headers=alice.headers
        )
        assert response.status_code == 404


async def test_unfollowing_withdraws_the_request(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    bob = await factory.user("bob")
    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow")
    withdrawn = await act(client, bob, f"/api/v1/accounts/{alice.id}/unfollow")
    assert withdrawn["requested"] is False
    assert withdrawn["following"] is False
    assert await count_rows(runtime, FollowRequest) == 0
    assert await notification_types(client, alice) == []
    assert (await client.get("/api/v1/follow_requests", headers=alice.headers)).json() == []


async def test_unlocking_accepts_every_request_waiting(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    askers = [await factory.user(name) for name in ("bob", "carol")]
    for asker in askers:
        await act(client, asker, f"/api/v1/accounts/{alice.id}/follow")
    # Saving the profile while still locked accepts nobody.
    still = await client.patch(
        "/api/v1/accounts/update_credentials", json={"note": "hi"}, headers=alice.headers
    )
    assert still.json()["source"]["follow_requests_count"] == 2
    await runtime.jobs.drain()
    assert await count_rows(runtime, FollowRequest) == 2

    unlocked = await client.patch(
        "/api/v1/accounts/update_credentials", json={"locked": False}, headers=alice.headers
    )
    assert unlocked.status_code == 200
    assert unlocked.json()["locked"] is False
    await runtime.jobs.drain()
    assert await count_rows(runtime, FollowRequest) == 0
    assert await counts(runtime, alice) == (0, 2)
    for asker in askers:
        assert (await relationship(client, asker, alice))["following"] is True
    assert await requests_count(client, alice) == 0
    # Unlocked, a follow is a follow at once.
    dave = await factory.user("dave")
    assert (await act(client, dave, f"/api/v1/accounts/{alice.id}/follow"))["following"] is True


async def test_a_block_either_way_drops_the_request(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    carol = await factory.user("carol", locked=True)
    bob = await factory.user("bob")
    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow")
    await act(client, bob, f"/api/v1/accounts/{carol.id}/follow")

    await act(client, alice, f"/api/v1/accounts/{bob.id}/block")  # the asked blocks
    await act(client, bob, f"/api/v1/accounts/{carol.id}/block")  # the asker blocks
    assert await count_rows(runtime, FollowRequest) == 0
    assert await count_rows(runtime, Notification) == 0
    assert await requests_count(client, alice) == 0
    assert await requests_count(client, carol) == 0
    refused = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    assert refused.status_code == 403
    assert await count_rows(runtime, FollowRequest) == 0


async def test_locking_keeps_followers_and_a_relock_stops_the_accepting(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob, carol = await factory.user("bob"), await factory.user("carol")
    await act(client, bob, f"/api/v1/accounts/{alice.id}/follow")
    locked = await client.patch(
        "/api/v1/accounts/update_credentials", json={"locked": True}, headers=alice.headers
    )
    assert locked.json()["locked"] is True
    assert (await relationship(client, bob, alice))["following"] is True  # as on Mastodon
    assert (await act(client, carol, f"/api/v1/accounts/{alice.id}/follow"))["requested"] is True

    # The accepting job finds the account locked again (unlocked, then relocked before
    # it ran): it accepts nobody.
    async with runtime.db.write() as session:
        looked_at = await requests.accept_follow_requests(
            session=session, runtime=runtime, account_id=alice.account.id
        )
    assert looked_at == 0
    assert await count_rows(runtime, FollowRequest) == 1
    assert await counts(runtime, alice) == (0, 1)
