"""Whom to follow: people your follows follow first, then the most followed; never
yourself, someone you follow, block (either way), mute or dismissed."""

from __future__ import annotations

import httpx

from tests.factories import Factory, User


async def follow(client: httpx.AsyncClient, who: User, whom: User) -> None:
    response = await client.post(f"/api/v1/accounts/{whom.id}/follow", headers=who.headers)
    assert response.status_code == 200


async def suggested(client: httpx.AsyncClient, who: User, **params: object) -> list[str]:
    response = await client.get("/api/v2/suggestions", headers=who.headers, params=params)
    assert response.status_code == 200
    return [s["account"]["username"] for s in response.json()]


async def test_friends_of_friends_first_then_popular(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    names = ("alice", "bob", "carol", "dave", "erin", "star", "quiet")
    alice, bob, carol, dave, erin, star, quiet = [await factory.user(n) for n in names]
    await factory.user("hidden", discoverable=False)
    await factory.user("waiting", approved=False)
    await follow(client, alice, bob)
    await follow(client, alice, carol)
    await follow(client, bob, dave)
    await follow(client, carol, dave)
    await follow(client, bob, erin)
    for fan in (bob, carol, dave, erin, quiet):
        await follow(client, fan, star)  # alice's follows follow star too

    response = await client.get("/api/v2/suggestions", headers=alice.headers)
    body = response.json()
    # star and dave are followed by two of alice's follows; star has more followers.
    assert [s["account"]["username"] for s in body] == ["star", "dave", "erin", "quiet"]
    assert body[0]["sources"] == ["friends_of_friends"]
    assert body[0]["source"] == "past_interactions"
    assert body[-1]["sources"] == ["most_followed"] and body[-1]["source"] == "global"
    assert body[0]["account"]["id"] == star.id

    v1 = await client.get("/api/v1/suggestions", headers=alice.headers, params={"limit": 2})
    assert [a["username"] for a in v1.json()] == ["star", "dave"]
    assert await suggested(client, alice, limit=1) == ["star"]


async def test_never_blocked_muted_or_dismissed(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob, carol, dave, erin = [
        await factory.user(n) for n in ("alice", "bob", "carol", "dave", "erin")
    ]
    assert set(await suggested(client, alice)) == {"bob", "carol", "dave", "erin"}
    await follow(client, alice, bob)
    assert (
        await client.post(f"/api/v1/accounts/{alice.id}/block", headers=carol.headers)
    ).is_success
    assert (await client.post(f"/api/v1/accounts/{dave.id}/mute", headers=alice.headers)).is_success
    assert await suggested(client, alice) == ["erin"]

    dismissed = await client.delete(f"/api/v1/suggestions/{erin.id}", headers=alice.headers)
    assert dismissed.status_code == 200 and dismissed.json() == {}
    again = await client.delete(f"/api/v1/suggestions/{erin.id}", headers=alice.headers)
    assert again.status_code == 200
    assert await suggested(client, alice) == []
    # Dismissing is Alice's alone.
    assert "erin" in await suggested(client, bob)
    missing = await client.delete("/api/v1/suggestions/12345", headers=alice.headers)
    assert missing.status_code == 404


async def test_needs_a_user_token(client: httpx.AsyncClient, factory: Factory) -> None:
    assert (await client.get("/api/v2/suggestions")).status_code == 401
    assert (await client.get("/api/v1/suggestions")).status_code == 401
    alice = await factory.user("alice")
    narrow = await factory.token(alice, "write")
    response = await client.get(
        "/api/v2/suggestions", headers={"Authorization": f"Bearer {narrow}"}
    )
    assert response.status_code == 403
