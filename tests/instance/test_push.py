"""Web push is not available (no VAPID keys, no sender): no subscription can exist,
and every push endpoint says so the same way."""

from __future__ import annotations

import httpx

from tests.factories import Factory


async def test_push_subscription_not_available(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    path = "/api/v1/push/subscription"
    created = await client.post(
        path,
        headers=alice.headers,
        data={
            "subscription[endpoint]": "https://push.example/1",
            "subscription[keys][p256dh]": "key",
            "subscription[keys][auth]": "auth",
        },
    )
    assert created.status_code == 422
    assert created.json() == {"error": "Web push is not available on this server"}
    assert (await client.get(path, headers=alice.headers)).json() == {"error": "Record not found"}
    assert (await client.put(path, headers=alice.headers)).status_code == 404
    deleted = await client.delete(path, headers=alice.headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert (await client.get(path)).status_code == 401
    no_push = {"Authorization": f"Bearer {await factory.token(alice, 'read')}"}
    assert (await client.get(path, headers=no_push)).status_code == 403
    instance = (await client.get("/api/v2/instance")).json()
    assert "vapid" not in instance["configuration"]
