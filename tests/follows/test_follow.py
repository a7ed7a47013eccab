"""Follow and unfollow: counters, notifications, options, idempotency, bad input."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from roost.accounts.models import Account
from roost.follows.models import Follow
from roost.notifications.models import Notification
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.search.posts import post


async def counts(runtime: Runtime, user: User) -> tuple[int, int]:
    async with runtime.db.read() as session:
        account = await session.get(Account, user.account.id)
        assert account is not None
        return account.following_count, account.followers_count


async def count_rows(runtime: Runtime, model: type, **where: object) -> int:
    async with runtime.db.read() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int(await session.scalar(query) or 0)


async def follow_notifications(runtime: Runtime, recipient: User) -> int:
    return await count_rows(runtime, Notification, account_id=recipient.account.id, type="follow")


async def test_follow_with_an_empty_body_returns_the_relationship(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    response = await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {
        "id": bob.id,
        "following": True,
        "showing_reblogs": True,
        "notifying": False,
        "languages": None,
        "followed_by": False,
        "blocking": False,
        "blocked_by": False,
        "muting": False,
        "muting_notifications": False,
        "requested": False,
        "requested_by": False,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    }
    assert await counts(runtime, alice) == (1, 0)
    assert await counts(runtime, bob) == (0, 1)
    assert await follow_notifications(runtime, bob) == 1
    assert await follow_notifications(runtime, alice) == 0


async def test_follow_reads_form_and_json_options(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    # What Mastodon.py sends.
    form = await client.post(
        f"/api/v1/accounts/{bob.id}/follow",
        data={"reblogs": "0", "notify": "1"},
        headers=alice.headers,
    )
    assert form.status_code == 200
    assert (form.json()["showing_reblogs"], form.json()["notifying"]) == (False, True)
    body = await client.post(
        f"/api/v1/accounts/{carol.id}/follow",
        json={"reblogs": False, "notify": True},
        headers=alice.headers,
    )
    assert (body.json()["showing_reblogs"], body.json()["notifying"]) == (False, True)


async def test_following_again_updates_options_without_counting_twice(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    url = f"/api/v1/accounts/{bob.id}/follow"
    await client.post(url, headers=alice.headers)
    again = await client.post(
        url, data={"reblogs": "False", "notify": "True"}, headers=alice.headers
    )
    assert again.status_code == 200
    assert again.json()["following"] is True
    assert (again.json()["showing_reblogs"], again.json()["notifying"]) == (False, True)
    third = await client.post(url, headers=alice.headers)
    assert (third.json()["showing_reblogs"], third.json()["notifying"]) == (True, False)
    assert await counts(runtime, alice) == (1, 0)
    assert await counts(runtime, bob) == (0, 1)
    assert await count_rows(runtime, Follow, account_id=alice.account.id) == 1
    assert await follow_notifications(runtime, bob) == 1


async def test_mutual_follow_shows_followed_by(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    response = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    assert response.json()["following"] is True
    assert response.json()["followed_by"] is True


async def test_unfollow_undoes_counters_and_notification_and_is_idempotent(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    for _ in range(2):
        response = await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.headers)
        assert response.status_code == 200
        assert response.json()["following"] is False
        assert response.json()["showing_reblogs"] is False
        assert await counts(runtime, alice) == (0, 0)
        assert await counts(runtime, bob) == (0, 0)
    assert await follow_notifications(runtime, bob) == 0
    # Following again is a new follow: counted and notified once more.
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    assert await counts(runtime, bob) == (0, 1)
    assert await follow_notifications(runtime, bob) == 1


async def test_follow_brings_posts_into_home_and_unfollow_takes_them_out(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    older = await post(runtime, bob, "written before the follow")
    secret = await post(runtime, bob, "only for someone mentioned", visibility="direct")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await runtime.jobs.drain()
    home = await client.get("/api/v1/timelines/home", headers=alice.headers)
    assert home.status_code == 200
    ids = [status["id"] for status in home.json()]
    assert str(older) in ids
    assert str(secret) not in ids

    await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=alice.headers)
    await runtime.jobs.drain()
    home = await client.get("/api/v1/timelines/home", headers=alice.headers)
    assert str(older) not in [status["id"] for status in home.json()]


async def test_follow_unknown_self_and_malformed_ids(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    for target in ("123456789", "not-a-number", "99999999999999999999"):
        response = await client.post(f"/api/v1/accounts/{target}/follow", headers=alice.headers)
        assert response.status_code == 404
        assert "error" in response.json()
    self_follow = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=alice.headers)
    assert self_follow.status_code == 403
    assert "error" in self_follow.json()
    assert await count_rows(runtime, Follow) == 0
    assert await counts(runtime, alice) == (0, 0)


async def test_follow_rejects_bad_options(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    response = await client.post(
        f"/api/v1/accounts/{bob.id}/follow", data={"reblogs": "perhaps"}, headers=alice.headers
    )
    assert response.status_code == 422
    assert "error" in response.json()
    broken = await client.post(
        f"/api/v1/accounts/{bob.id}/follow",
        content=b"{not json",
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert await count_rows(runtime, Follow) == 0


async def test_follow_needs_a_token_with_the_follow_scope(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    url = f"/api/v1/accounts/{bob.id}/follow"
    anonymous = await client.post(url)
    assert anonymous.status_code == 401
    bad_token = await client.post(url, headers={"Authorization": "Bearer nope"})
    assert bad_token.status_code == 401
    read_only = await factory.token(alice, "read")
    forbidden = await client.post(url, headers={"Authorization": f"Bearer {read_only}"})
    assert forbidden.status_code == 403
    assert "error" in forbidden.json()
    assert await count_rows(runtime, Follow) == 0
    # The legacy "follow" scope and "write:follows" both allow it.
    legacy = await factory.token(alice, "follow")
    ok = await client.post(url, headers={"Authorization": f"Bearer {legacy}"})
    assert ok.status_code == 200
    narrow = await factory.token(alice, "write:follows")
    unfollow = await client.post(
        f"/api/v1/accounts/{bob.id}/unfollow", headers={"Authorization": f"Bearer {narrow}"}
    )
    assert unfollow.status_code == 200


async def test_relationships_in_request_order_skipping_unknown_ids(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=carol.headers)
    many = await client.get(
        "/api/v1/accounts/relationships",
        params=[("id[]", carol.id), ("id[]", "424242"), ("id[]", bob.id)],
        headers=alice.headers,
    )
    assert many.status_code == 200
    assert [r["id"] for r in many.json()] == [carol.id, bob.id]
    carol_rel, bob_rel = many.json()
    assert (carol_rel["following"], carol_rel["followed_by"]) == (False, True)
    assert (bob_rel["following"], bob_rel["followed_by"]) == (True, False)

    single = await client.get(
        "/api/v1/accounts/relationships", params={"id": bob.id}, headers=alice.headers
    )
    assert [r["id"] for r in single.json()] == [bob.id]
    for junk in ("junk", "\u00b9", str(1 << 63)):  # not an id at all: refused, like any id
        refused = await client.get(
            "/api/v1/accounts/relationships",
            params=[("id[]", bob.id), ("id[]", junk)],
            headers=alice.headers,
        )
        assert refused.status_code == 422, refused.text
        assert "id" in refused.json()["error"]
    none = await client.get("/api/v1/accounts/relationships", headers=alice.headers)
    assert none.json() == []


async def test_relationships_need_read_follows(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    url = f"/api/v1/accounts/relationships?id={bob.id}"
    assert (await client.get(url)).status_code == 401
    write_only = await factory.token(alice, "write")
    response = await client.get(url, headers={"Authorization": f"Bearer {write_only}"})
    assert response.status_code == 403
    narrow = await factory.token(alice, "read:follows")
    assert (await client.get(url, headers={"Authorization": f"Bearer {narrow}"})).status_code == 200


async def test_concurrent_follows_count_once(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    url = f"/api/v1/accounts/{bob.id}/follow"
    responses = await asyncio.gather(*(client.post(url, headers=alice.headers) for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    assert await count_rows(runtime, Follow) == 1
    assert await counts(runtime, alice) == (1, 0)
    assert await counts(runtime, bob) == (0, 1)
    assert await follow_notifications(runtime, bob) == 1


async def test_a_follow_racing_a_block_never_survives_it(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    follow, block = await asyncio.gather(
        client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers),
        client.post(f"/api/v1/accounts/{alice.id}/block", headers=bob.headers),
    )
    assert follow.status_code in (200, 403)
    assert block.status_code == 200
    assert await count_rows(runtime, Follow) == 0
    assert await counts(runtime, alice) == (0, 0)
    assert await counts(runtime, bob) == (0, 0)
