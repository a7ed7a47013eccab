"""Blocks and mutes: what they undo, what they forbid, and their idempotency."""

from __future__ import annotations

import httpx

from roost.follows.models import Block, Follow, Mute
from roost.notifications.models import Notification
from roost.runtime import Runtime
from tests.factories import Factory
from tests.follows.test_follow import count_rows, counts
from tests.search.posts import post


async def test_block_ends_follows_both_ways_with_counters(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    assert await counts(runtime, alice) == (1, 1)

    for _ in range(2):  # blocking twice is the same as once
        response = await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)
        assert response.status_code == 200
        relationship = response.json()
        assert relationship["blocking"] is True
        assert relationship["following"] is False
        assert relationship["followed_by"] is False
    assert await count_rows(runtime, Block) == 1
    assert await count_rows(runtime, Follow) == 0
    assert await counts(runtime, alice) == (0, 0)
    assert await counts(runtime, bob) == (0, 0)

    seen_by_bob = await client.get(
        "/api/v1/accounts/relationships", params={"id": alice.id}, headers=bob.headers
    )
    assert seen_by_bob.json()[0]["blocked_by"] is True
    assert seen_by_bob.json()[0]["blocking"] is False


async def test_block_clears_each_from_the_others_home(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    from_alice = await post(runtime, alice, "alice writes")
    from_bob = await post(runtime, bob, "bob writes")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    await runtime.jobs.drain()
    alice_home = await client.get("/api/v1/timelines/home", headers=alice.headers)
    assert str(from_bob) in [s["id"] for s in alice_home.json()]

    await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)
    await runtime.jobs.drain()
    alice_home = await client.get("/api/v1/timelines/home", headers=alice.headers)
    bob_home = await client.get("/api/v1/timelines/home", headers=bob.headers)
    assert str(from_bob) not in [s["id"] for s in alice_home.json()]
    assert str(from_alice) not in [s["id"] for s in bob_home.json()]


async def test_no_follow_across_a_block_either_way(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)
    blocked = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    assert blocked.status_code == 403
    assert "error" in blocked.json()
    blocker = await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    assert blocker.status_code == 403
    assert await count_rows(runtime, Follow) == 0
    assert await counts(runtime, alice) == (0, 0)
    assert await counts(runtime, bob) == (0, 0)
    assert await count_rows(runtime, Notification) == 0

    unblocked = await client.post(f"/api/v1/accounts/{bob.id}/unblock", headers=alice.headers)
    assert unblocked.status_code == 200
    assert unblocked.json()["blocking"] is False
    again = await client.post(f"/api/v1/accounts/{bob.id}/unblock", headers=alice.headers)
    assert again.status_code == 200
    follow = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    assert follow.status_code == 200
    assert follow.json()["following"] is True


async def test_block_and_mute_bad_input(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    for verb in ("block", "unblock", "mute", "unmute", "unfollow"):
        for target in ("777", "abc"):
            response = await client.post(f"/api/v1/accounts/{target}/{verb}", headers=alice.headers)
            assert response.status_code == 404, verb
            assert "error" in response.json()
    for verb in ("block", "mute"):
        response = await client.post(f"/api/v1/accounts/{alice.id}/{verb}", headers=alice.headers)
        assert response.status_code == 403
    bob = await factory.user("bob")
    bad = await client.post(
        f"/api/v1/accounts/{bob.id}/mute", data={"notifications": "maybe"}, headers=alice.headers
    )
    assert bad.status_code == 422
    assert await count_rows(runtime, Block) == 0
    assert await count_rows(runtime, Mute) == 0


async def test_block_and_mute_scopes(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    follows_only = await factory.token(alice, "write:follows")
    headers = {"Authorization": f"Bearer {follows_only}"}
    for verb in ("block", "unblock", "mute", "unmute"):
        assert (await client.post(f"/api/v1/accounts/{bob.id}/{verb}")).status_code == 401
        response = await client.post(f"/api/v1/accounts/{bob.id}/{verb}", headers=headers)
        assert response.status_code == 403, verb
    assert await count_rows(runtime, Block) == 0
    blocks_only = await factory.token(alice, "write:blocks")
    ok = await client.post(
        f"/api/v1/accounts/{bob.id}/block", headers={"Authorization": f"Bearer {blocks_only}"}
    )
    assert ok.status_code == 200


async def test_mute_options_and_unmute(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    muted = await client.post(f"/api/v1/accounts/{bob.id}/mute", headers=alice.headers)
    assert muted.status_code == 200
    assert (muted.json()["muting"], muted.json()["muting_notifications"]) == (True, True)
    assert muted.json()["following"] is True  # a mute does not end the follow

    quieter = await client.post(
        f"/api/v1/accounts/{bob.id}/mute",
        data={"notifications": "false", "duration": "3600"},
        headers=alice.headers,
    )
    assert (quieter.json()["muting"], quieter.json()["muting_notifications"]) == (True, False)
    assert await count_rows(runtime, Mute) == 1

    unmuted = await client.post(f"/api/v1/accounts/{bob.id}/unmute", headers=alice.headers)
    assert unmuted.status_code == 200
    assert (unmuted.json()["muting"], unmuted.json()["muting_notifications"]) == (False, False)
    assert await count_rows(runtime, Mute) == 0


async def test_mute_takes_posts_out_of_home_and_unmute_brings_them_back(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status_id = str(await post(runtime, bob, "hello"))
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await runtime.jobs.drain()

    async def home_ids() -> list[str]:
        home = await client.get("/api/v1/timelines/home", headers=alice.headers)
        return [s["id"] for s in home.json()]

    assert status_id in await home_ids()
    await client.post(f"/api/v1/accounts/{bob.id}/mute", headers=alice.headers)
    await runtime.jobs.drain()
    assert status_id not in await home_ids()
    await client.post(f"/api/v1/accounts/{bob.id}/unmute", headers=alice.headers)
    await runtime.jobs.drain()
    assert status_id in await home_ids()


async def test_muted_follower_sends_no_follow_notification(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await client.post(f"/api/v1/accounts/{alice.id}/mute", headers=bob.headers)
    response = await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    assert response.status_code == 200
    assert await count_rows(runtime, Notification) == 0
    assert await counts(runtime, bob) == (0, 1)
