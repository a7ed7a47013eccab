"""The notification policy (accept, filter, drop) and the requests filtering makes."""

from typing import Any

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.statuses.helpers import follow, post

DEFAULTS = {
    "for_not_following": "accept",
    "for_not_followers": "accept",
    "for_new_accounts": "accept",
    "for_private_mentions": "accept",
    "for_limited_accounts": "accept",
    "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
}


async def policy(client: httpx.AsyncClient, user: User, **changes: str) -> dict[str, Any]:
    if changes:
        response = await client.patch(
            "/api/v2/notifications/policy", json=changes, headers=user.headers
        )
    else:
        response = await client.get("/api/v2/notifications/policy", headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(client: httpx.AsyncClient, user: User, path: str) -> Any:
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_defaults_accept_everything_and_changes_are_kept(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    assert await policy(client, alice) == DEFAULTS
    await post(client, bob, "@alice hi")
    assert len(await listed(client, alice, "/api/v1/notifications")) == 1
    assert await listed(client, alice, "/api/v1/notifications/requests") == []

    changed = await policy(client, alice, for_not_following="filter")
    assert changed["for_not_following"] == "filter"
    assert changed["for_private_mentions"] == "accept"
    assert (await policy(client, alice))["for_not_following"] == "filter"
    form = await client.patch(
        "/api/v2/notifications/policy",
        data={"for_new_accounts": "drop"},
        headers=alice.headers,
    )
    assert form.json()["for_new_accounts"] == "drop"
    assert form.json()["for_not_following"] == "filter"  # the others stay
    bad = await client.patch(
        "/api/v2/notifications/policy", json={"for_new_accounts": "maybe"}, headers=alice.headers
    )
    assert bad.status_code == 422 and "error" in bad.json()

    v1 = await listed(client, alice, "/api/v1/notifications/policy")
    assert v1["filter_not_following"] is True and v1["filter_not_followers"] is False
    put = await client.put(
        "/api/v1/notifications/policy",
        json={"filter_not_following": False},
        headers=alice.headers,
    )
    assert put.status_code == 200 and put.json()["filter_not_following"] is False
    assert (await policy(client, alice))["for_not_following"] == "accept"


async def test_filtered_notifications_become_a_request(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    friend = await factory.user("friend")
    stranger = await factory.user("stranger")
    await follow(runtime, alice, friend)
    await policy(client, alice, for_not_following="filter")
    first = await post(client, stranger, "@alice hello")
    second = await post(client, stranger, "@alice hello again")
    from_friend = await post(client, friend, "@alice hi")

    shown = await listed(client, alice, "/api/v1/notifications")
    assert [n["status"]["id"] for n in shown] == [from_friend["id"]]
    grouped = await listed(client, alice, "/api/v2/notifications")
    assert [g["status_id"] for g in grouped["notification_groups"]] == [from_friend["id"]]
    with_filtered = await listed(client, alice, "/api/v2/notifications?include_filtered=true")
    assert len(with_filtered["notification_groups"]) == 3
    count = await listed(client, alice, "/api/v1/notifications/unread_count")
    assert count["count"] == 1

    [request] = await listed(client, alice, "/api/v1/notifications/requests")
    assert request["account"]["id"] == stranger.id
    assert request["notifications_count"] == "2"
    assert request["last_status"]["id"] == second["id"]
    assert set(request) >= {"id", "created_at", "updated_at", "account", "notifications_count"}
    one = await listed(client, alice, f"/api/v1/notifications/requests/{request['id']}")
    assert one["id"] == request["id"]
    assert (await policy(client, alice))["summary"] == {
        "pending_requests_count": 1,
        "pending_notifications_count": 2,
    }
    assert (
        await client.get(f"/api/v1/notifications/requests/{request['id']}", headers=friend.headers)
    ).status_code == 404

    accepted = await client.post(
        f"/api/v1/notifications/requests/{request['id']}/accept", headers=alice.headers
    )
    assert accepted.status_code == 200 and accepted.json() == {}
    shown = await listed(client, alice, "/api/v1/notifications")
    assert {n["status"]["id"] for n in shown} == {first["id"], second["id"], from_friend["id"]}
    assert await listed(client, alice, "/api/v1/notifications/requests") == []
    later = await post(client, stranger, "@alice accepted now")
    assert (await listed(client, alice, "/api/v1/notifications"))[0]["status"]["id"] == later["id"]


async def test_dismissing_a_request_and_dropping(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    stranger = await factory.user("stranger")
    other = await factory.user("other")
    await policy(client, alice, for_not_following="filter")
    await post(client, stranger, "@alice hello")
    await post(client, other, "@alice me too")
    requests = await listed(client, alice, "/api/v1/notifications/requests")
    assert len(requests) == 2
    assert len(await listed(client, alice, "/api/v1/notifications?include_filtered=true")) == 2
    dismissed = await client.post(
        "/api/v1/notifications/requests/dismiss",
        data={"id[]": [r["id"] for r in requests]},
        headers=alice.headers,
    )
    assert dismissed.status_code == 200
    assert await listed(client, alice, "/api/v1/notifications/requests") == []
    assert await listed(client, alice, "/api/v1/notifications?include_filtered=true") == []

    await policy(client, alice, for_not_following="drop")
    await post(client, stranger, "@alice are you there")
    assert await listed(client, alice, "/api/v2/notifications?include_filtered=true") == {
        "accounts": [],
        "statuses": [],
        "notification_groups": [],
    }
    missing = await client.post("/api/v1/notifications/requests/123/accept", headers=alice.headers)
    assert missing.status_code == 404


async def test_private_mentions_rule(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    stranger = await factory.user("stranger")
    await policy(client, alice, for_private_mentions="filter")
    await post(client, stranger, "@alice in public")
    secret = await post(client, stranger, "@alice in private", visibility="direct")
    mine = await post(client, alice, "@stranger my own question", visibility="direct")
    answer = await post(
        client, stranger, "@alice an answer", visibility="direct", in_reply_to_id=mine["id"]
    )
    shown = {n["status"]["id"] for n in await listed(client, alice, "/api/v1/notifications")}
    assert secret["id"] not in shown
    assert answer["id"] in shown and len(shown) == 2
