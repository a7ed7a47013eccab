"""Muting a conversation: nothing about the posts of that thread is notified to the
muter any more (mentions, favourites, boosts), ``muted`` shows on every post of it."""

from __future__ import annotations

import httpx

from roost.notifications.models import Notification
from roost.runtime import Runtime
from tests.factories import Factory
from tests.statuses.helpers import count, post


async def test_a_muted_conversation_notifies_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    root = await post(client, alice, "a thread")
    reply = await post(client, bob, "@alice noisy", in_reply_to_id=root["id"])
    assert await count(runtime, Notification, account_id=alice.account.id, type="mention") == 1

    for _ in range(2):  # muting twice is the same as once
        response = await client.post(f"/api/v1/statuses/{reply['id']}/mute", headers=alice.headers)
        assert response.status_code == 200 and response.json()["muted"] is True
    # The whole thread shows muted, for alice only.
    for status in (root, reply):
        url = f"/api/v1/statuses/{status['id']}"
        assert (await client.get(url, headers=alice.headers)).json()["muted"] is True
        assert (await client.get(url, headers=bob.headers)).json()["muted"] is False

    deeper = await post(client, bob, "@alice more", in_reply_to_id=reply["id"])
    await client.post(f"/api/v1/statuses/{root['id']}/favourite", headers=bob.headers)
    await client.post(f"/api/v1/statuses/{root['id']}/reblog", headers=bob.headers)
    assert await count(runtime, Notification, account_id=alice.account.id) == 1
    # Elsewhere bob still reaches her.
    await post(client, bob, "@alice another topic")
    assert await count(runtime, Notification, account_id=alice.account.id) == 2

    response = await client.post(f"/api/v1/statuses/{deeper['id']}/unmute", headers=alice.headers)
    assert response.status_code == 200 and response.json()["muted"] is False
    await post(client, bob, "@alice back", in_reply_to_id=deeper["id"])
    assert await count(runtime, Notification, account_id=alice.account.id, type="mention") == 3


async def test_only_a_conversation_one_may_see_can_be_muted(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    private = await post(client, alice, "followers only", visibility="private")
    response = await client.post(f"/api/v1/statuses/{private['id']}/mute", headers=bob.headers)
    assert (response.status_code, response.json()) == (404, {"error": "Record not found"})
    assert (await client.post(f"/api/v1/statuses/{private['id']}/mute")).status_code == 401
