"""Private notes on accounts, and familiar followers."""

from __future__ import annotations

import httpx

from tests.factories import Factory, User
from tests.follows.test_requests import act, relationship


async def test_a_note_is_private_to_its_writer(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    noted = await act(client, alice, f"/api/v1/accounts/{bob.id}/note", comment="met at <tea>")
    assert noted["note"] == "met at <tea>"
    assert noted["id"] == bob.id
    assert (await relationship(client, alice, bob))["note"] == "met at <tea>"
    assert (await relationship(client, carol, bob))["note"] == ""
    assert (await relationship(client, bob, alice))["note"] == ""

    changed = await act(client, alice, f"/api/v1/accounts/{bob.id}/note", comment="changed")
    assert changed["note"] == "changed"
    cleared = await client.post(f"/api/v1/accounts/{bob.id}/note", headers=alice.headers)
    assert cleared.json()["note"] == ""
    assert (await relationship(client, alice, bob))["note"] == ""

    too_long = await client.post(
        f"/api/v1/accounts/{bob.id}/note", json={"comment": "x" * 2001}, headers=alice.headers
    )
    assert too_long.status_code == 422
    assert "error" in too_long.json()
    missing = await client.post("/api/v1/accounts/123/note", headers=alice.headers)
    assert missing.status_code == 404
    read_only = await factory.token(alice, "read")
    refused = await client.post(
        f"/api/v1/accounts/{bob.id}/note",
        json={"comment": "x"},
        headers={"Authorization": f"Bearer {read_only}"},
    )
    assert refused.status_code == 403


async def familiar(client: httpx.AsyncClient, viewer: User, *others: str) -> dict[str, list[str]]:
    response = await client.get(
        "/api/v1/accounts/familiar_followers",
        params=[("id[]", other) for other in others],
        headers=viewer.headers,
    )
    assert response.status_code == 200, response.text
    return {entry["id"]: [a["id"] for a in entry["accounts"]] for entry in response.json()}


async def test_familiar_followers_are_those_you_follow_who_follow_them(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    me, bob, carol, dave, erin, star = [
        await factory.user(n) for n in ("me", "bob", "carol", "dave", "erin", "star")
    ]
    for friend in (bob, carol, dave):
        await act(client, me, f"/api/v1/accounts/{friend.id}/follow")
    for fan in (bob, carol, erin):  # erin follows star, but I do not follow erin
        await act(client, fan, f"/api/v1/accounts/{star.id}/follow")
    await act(client, dave, f"/api/v1/accounts/{bob.id}/follow")

    found = await familiar(client, me, star.id, bob.id, "123")
    assert list(found) == [star.id, bob.id, "123"]  # in the order asked
    assert found == {star.id: [bob.id, carol.id], bob.id: [dave.id], "123": []}

    # A block either way leaves the blocked person out, and shows nothing of a blocked account.
    await act(client, carol, f"/api/v1/accounts/{me.id}/block")
    assert (await familiar(client, me, star.id))[star.id] == [bob.id]
    await act(client, me, f"/api/v1/accounts/{star.id}/block")
    assert (await familiar(client, me, star.id))[star.id] == []
    assert await familiar(client, me) == {}
    bad = await client.get(
        "/api/v1/accounts/familiar_followers", params={"id[]": "nope"}, headers=me.headers
    )
    assert bad.status_code in (400, 422)
