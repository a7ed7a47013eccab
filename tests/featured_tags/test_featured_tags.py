"""Featured tags: feature, list with counts from the person's own posts, unfeature,
suggestions, and anyone's list on their profile."""

from __future__ import annotations

import httpx

from roost.featured_tags.service import MAX_FEATURED_TAGS
from roost.runtime import Runtime
from tests.discovery.posts import post_ago
from tests.factories import Factory


async def test_feature_count_and_unfeature(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await post_ago(runtime, alice, days=2, tags=["Garden"])
    await post_ago(runtime, alice, days=1, tags=["garden"])
    await post_ago(runtime, alice, days=0.5, tags=["garden"], visibility="private")  # not counted
    await post_ago(runtime, bob, days=0, tags=["garden"])  # someone else's

    created = await client.post(
        "/api/v1/featured_tags", headers=alice.headers, data={"name": "#garden"}
    )
    assert created.status_code == 200
    tag = created.json()
    assert tag["name"] == "Garden"
    assert tag["url"] == "http://localhost/@alice/tagged/garden"
    assert tag["statuses_count"] == "2"
    assert tag["last_status_at"] is not None and len(tag["last_status_at"]) == 10

    fresh = await client.post("/api/v1/featured_tags", headers=alice.headers, json={"name": "new"})
    assert fresh.json()["statuses_count"] == "0" and fresh.json()["last_status_at"] is None

    mine = (await client.get("/api/v1/featured_tags", headers=alice.headers)).json()
    assert [t["name"] for t in mine] == ["Garden", "new"]
    public = await client.get(f"/api/v1/accounts/{alice.id}/featured_tags")
    assert public.status_code == 200 and public.json() == mine
    assert (await client.get(f"/api/v1/accounts/{bob.id}/featured_tags")).json() == []
    assert (await client.get("/api/v1/accounts/999/featured_tags")).status_code == 404

    # Bob cannot remove Alice's; Alice can.
    path = f"/api/v1/featured_tags/{tag['id']}"
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.delete(path, headers=alice.headers)).json() == {}
    assert (await client.delete(path, headers=alice.headers)).status_code == 404
    mine = (await client.get("/api/v1/featured_tags", headers=alice.headers)).json()
    assert [t["name"] for t in mine] == ["new"]


async def test_invalid_duplicate_and_too_many(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    for bad in ("", "two words", "1234", "#", "x" * 101):
        response = await client.post(
            "/api/v1/featured_tags", headers=alice.headers, data={"name": bad}
        )
        assert response.status_code == 422, bad
        assert "error" in response.json()
    assert (
        await client.post("/api/v1/featured_tags", headers=alice.headers, data={"name": "cats"})
    ).status_code == 200
    duplicate = await client.post(
        "/api/v1/featured_tags", headers=alice.headers, data={"name": "CATS"}
    )
    assert duplicate.status_code == 422
    assert duplicate.json()["error"] == "Validation failed: Tag has already been taken"
    for number in range(MAX_FEATURED_TAGS - 1):
        ok = await client.post(
            "/api/v1/featured_tags", headers=alice.headers, data={"name": f"tag{number}"}
        )
        assert ok.status_code == 200
    over = await client.post("/api/v1/featured_tags", headers=alice.headers, data={"name": "more"})
    assert over.status_code == 422
    assert len((await client.get("/api/v1/featured_tags", headers=alice.headers)).json()) == 10


async def test_suggestions_are_recent_unfeatured_tags(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await post_ago(runtime, alice, days=3, tags=["old"])
    await post_ago(runtime, alice, days=1, tags=["recent"])
    await post_ago(runtime, alice, days=2, tags=["featured"])
    await post_ago(runtime, bob, days=0, tags=["bobs"])
    await client.post("/api/v1/featured_tags", headers=alice.headers, data={"name": "featured"})
    response = await client.get("/api/v1/featured_tags/suggestions", headers=alice.headers)
    assert response.status_code == 200
    tags = response.json()
    assert [t["name"] for t in tags] == ["recent", "old"]
    assert len(tags[0]["history"]) == 7


async def test_scopes(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    assert (await client.get("/api/v1/featured_tags")).status_code == 401
    reader = {"Authorization": f"Bearer {await factory.token(alice, 'read:accounts')}"}
    assert (await client.get("/api/v1/featured_tags", headers=reader)).status_code == 200
    refused = await client.post("/api/v1/featured_tags", headers=reader, data={"name": "cats"})
    assert refused.status_code == 403
