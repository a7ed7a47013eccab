"""Pins: one's own public, unlisted or followers-only posts, at most
``max_pinned_statuses``, listed by ``pinned=true`` for whoever may see them."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from roost.statuses.models import StatusPin
from tests.factories import Factory
from tests.statuses.helpers import count, follow, post


async def pinned(client: httpx.AsyncClient, account_id: int, headers: dict[str, str]) -> list[str]:
    response = await client.get(
        f"/api/v1/accounts/{account_id}/statuses", params={"pinned": "true"}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def test_pin_and_unpin_own_posts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, fan = [await factory.user(n) for n in ("alice", "bob", "fan")]
    await follow(runtime, fan, alice)
    public = await post(client, alice, "public")
    private = await post(client, alice, "followers only", visibility="private")
    for status in (public, private, public):  # pinning again is a no-op
        response = await client.post(f"/api/v1/statuses/{status['id']}/pin", headers=alice.headers)
        assert response.status_code == 200, response.text
        assert response.json()["pinned"] is True
    assert await count(runtime, StatusPin) == 2

    assert await pinned(client, alice.account.id, alice.headers) == [private["id"], public["id"]]
    assert await pinned(client, alice.account.id, fan.headers) == [private["id"], public["id"]]
    # Only followers see the followers-only pin; others, and nobody signed in, the rest.
    assert await pinned(client, alice.account.id, bob.headers) == [public["id"]]
    assert await pinned(client, alice.account.id, {}) == [public["id"]]
    # ``pinned`` is the author's own flag.
    seen = (await client.get(f"/api/v1/statuses/{public['id']}", headers=bob.headers)).json()
    assert seen["pinned"] is False
    # The full profile still lists the posts in their order.
    everything = (await client.get(f"/api/v1/accounts/{alice.id}/statuses")).json()
    assert [s["id"] for s in everything] == [public["id"]]

    response = await client.post(f"/api/v1/statuses/{public['id']}/unpin", headers=alice.headers)
    assert response.status_code == 200 and response.json()["pinned"] is False
    assert await pinned(client, alice.account.id, alice.headers) == [private["id"]]


async def test_what_may_not_be_pinned(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    theirs = await post(client, bob, "bob's")
    direct = await post(client, alice, "@bob psst", visibility="direct")
    boost = (
        await client.post(f"/api/v1/statuses/{theirs['id']}/reblog", headers=alice.headers)
    ).json()
    hidden = await post(client, bob, "bob's followers", visibility="private")
    cases = {
        theirs["id"]: (422, "Validation failed: Someone else's post cannot be pinned"),
        direct["id"]: (
            422,
            "Validation failed: Posts that are only visible to mentioned users cannot be pinned",
        ),
        boost["id"]: (422, "Validation failed: A boost cannot be pinned"),
        hidden["id"]: (404, "Record not found"),
    }
    for status_id, (code, error) in cases.items():
        response = await client.post(f"/api/v1/statuses/{status_id}/pin", headers=alice.headers)
        assert (response.status_code, response.json()) == (code, {"error": error})
    assert await count(runtime, StatusPin) == 0


async def test_at_most_the_instances_limit(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    limit = runtime.settings.max_pinned_statuses
    instance = (await client.get("/api/v2/instance")).json()
    assert instance["configuration"]["accounts"]["max_pinned_statuses"] == limit == 5
    posts = [await post(client, alice, f"pin {n}") for n in range(limit + 1)]
    for status in posts[:limit]:
        response = await client.post(f"/api/v1/statuses/{status['id']}/pin", headers=alice.headers)
        assert response.status_code == 200
    response = await client.post(f"/api/v1/statuses/{posts[-1]['id']}/pin", headers=alice.headers)
    assert response.status_code == 422
    assert response.json() == {
        "error": "Validation failed: You have already pinned the maximum number of posts"
    }
    # Unpinning one makes room.
    await client.post(f"/api/v1/statuses/{posts[0]['id']}/unpin", headers=alice.headers)
    response = await client.post(f"/api/v1/statuses/{posts[-1]['id']}/pin", headers=alice.headers)
    assert response.status_code == 200
    assert await count(runtime, StatusPin) == limit
