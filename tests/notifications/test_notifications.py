from typing import Any

import httpx
import pytest

from roost.core.settings import get_settings
from roost.notifications.models import Notification
from roost.notifications.service import notify
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.statuses.helpers import block, count, follow, mute, post


async def notifications(
    client: httpx.AsyncClient, user: User, **params: str | int
) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/notifications", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def busy_day(client: httpx.AsyncClient, alice: User, bob: User) -> dict[str, str]:
    """bob mentions alice, favourites and boosts her post: three notifications."""
    mine = await post(client, alice, "my post")
    mention = await post(client, bob, "hey @alice")
    await client.post(f"/api/v1/statuses/{mine['id']}/favourite", headers=bob.headers)
    await client.post(f"/api/v1/statuses/{mine['id']}/reblog", headers=bob.headers)
    return {"mine": mine["id"], "mention": mention["id"]}


async def test_mentions_favourites_and_boosts_notify(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    ids = await busy_day(client, alice, bob)
    listed = await notifications(client, alice)
    assert [n["type"] for n in listed] == ["reblog", "favourite", "mention"]
    reblog, favourite, mention = listed
    assert all(n["account"]["id"] == bob.id for n in listed)
    assert reblog["status"]["id"] == ids["mine"]
    assert favourite["status"]["id"] == ids["mine"]
    assert mention["status"]["id"] == ids["mention"]
    assert set(mention) >= {"id", "type", "created_at", "account", "status"}
    assert str(mention["created_at"]).endswith("Z")
    assert await notifications(client, bob) == []

    one = await client.get(f"/api/v1/notifications/{mention['id']}", headers=alice.headers)
    assert one.status_code == 200
    assert one.json()["id"] == mention["id"]


async def test_filters(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    await busy_day(client, alice, bob)
    await post(client, carol, "@alice hello")

    only = await client.get(
        "/api/v1/notifications",
        params=[("types[]", "mention"), ("types[]", "reblog")],
        headers=alice.headers,
    )
    assert [n["type"] for n in only.json()] == ["mention", "reblog", "mention"]
    without = await client.get(
        "/api/v1/notifications",
        params=[("exclude_types[]", "mention"), ("exclude_types[]", "favourite")],
        headers=alice.headers,
    )
    assert [n["type"] for n in without.json()] == ["reblog"]
    from_carol = await notifications(client, alice, account_id=carol.id)
    assert [n["account"]["id"] for n in from_carol] == [carol.id]
    unknown = await notifications(client, alice, **{"types[]": "poll"})
    assert unknown == []


async def test_paging(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    for i in range(5):
        await post(client, bob, f"@alice {i}")
    everything = [n["id"] for n in await notifications(client, alice)]
    assert len(everything) == 5

    first = await client.get("/api/v1/notifications", params={"limit": 2}, headers=alice.headers)
    assert [n["id"] for n in first.json()] == everything[:2]
    link = first.headers["link"]
    base = f"{get_settings().base_url}/api/v1/notifications"
    assert link == (
        f'<{base}?limit=2&max_id={everything[1]}>; rel="next", '
        f'<{base}?limit=2&min_id={everything[0]}>; rel="prev"'
    )

    older = await notifications(client, alice, max_id=everything[1], limit=2)
    assert [n["id"] for n in older] == everything[2:4]
    newer = await notifications(client, alice, min_id=everything[3], limit=2)
    assert [n["id"] for n in newer] == everything[1:3]
    since = await notifications(client, alice, since_id=everything[3], limit=2)
    assert [n["id"] for n in since] == everything[:2]
    empty = await client.get(
        "/api/v1/notifications", params={"min_id": everything[0]}, headers=alice.headers
    )
    assert empty.json() == [] and "link" not in empty.headers


async def test_dismiss_and_clear(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await busy_day(client, alice, bob)
    await post(client, alice, "@bob back")
    first = (await notifications(client, alice))[0]

    dismissed = await client.post(
        f"/api/v1/notifications/{first['id']}/dismiss", headers=alice.headers
    )
    assert dismissed.status_code == 200 and dismissed.json() == {}
    assert len(await notifications(client, alice)) == 2
    again = await client.post(f"/api/v1/notifications/{first['id']}/dismiss", headers=alice.headers)
    assert again.status_code == 404
    bobs = (await notifications(client, bob))[0]
    not_mine = await client.post(
        f"/api/v1/notifications/{bobs['id']}/dismiss", headers=alice.headers
    )
    assert not_mine.status_code == 404
    assert (
        await client.get(f"/api/v1/notifications/{bobs['id']}", headers=alice.headers)
    ).status_code == 404

    cleared = await client.post("/api/v1/notifications/clear", headers=alice.headers)
    assert cleared.status_code == 200 and cleared.json() == {}
    assert await notifications(client, alice) == []
    assert await count(runtime, Notification, account_id=bob.account.id) == 1


async def test_scopes_and_bad_input(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await post(client, bob, "@alice hi")
    assert (await client.get("/api/v1/notifications")).status_code == 401
    assert (await client.post("/api/v1/notifications/clear")).status_code == 401
    read_only = await factory.token(alice, "read:notifications")
    headers = {"Authorization": f"Bearer {read_only}"}
    assert (await client.get("/api/v1/notifications", headers=headers)).status_code == 200
    refused = await client.post("/api/v1/notifications/clear", headers=headers)
    assert refused.status_code == 403 and "error" in refused.json()
    statuses_only = await factory.token(alice, "read:statuses")
    other = {"Authorization": f"Bearer {statuses_only}"}
    assert (await client.get("/api/v1/notifications", headers=other)).status_code == 403
    for path in ("/api/v1/notifications/abc", "/api/v1/notifications/123"):
        response = await client.get(path, headers=alice.headers)
        assert response.status_code == 404 and "error" in response.json()
    bad_limit = await client.get(
        "/api/v1/notifications", params={"limit": "many"}, headers=alice.headers
    )
    assert bad_limit.status_code == 422
    bad_account = await client.get(
        "/api/v1/notifications", params={"account_id": "bob"}, headers=alice.headers
    )
    assert bad_account.status_code == 422
    assert await count(runtime, Notification) == 1


async def test_blocks_and_mutes(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    dave = await factory.user("dave")
    await post(client, bob, "@alice one")
    await post(client, carol, "@alice two")
    assert len(await notifications(client, alice)) == 2

    await block(runtime, alice, bob)  # already there: hidden from now on
    assert [n["account"]["id"] for n in await notifications(client, alice)] == [carol.id]

    await mute(runtime, alice, carol)  # hide_notifications: hidden, and no new ones
    assert await notifications(client, alice) == []
    await post(client, carol, "@alice three")
    assert await count(runtime, Notification, from_account_id=carol.account.id) == 1

    await mute(runtime, alice, dave, hide_notifications=False)  # muted, still notified
    await post(client, dave, "@alice four")
    assert [n["account"]["id"] for n in await notifications(client, alice)] == [dave.id]


async def test_notifications_go_with_their_status(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    mention = await post(client, bob, "@alice hi")
    assert len(await notifications(client, alice)) == 1
    await client.delete(f"/api/v1/statuses/{mention['id']}", headers=bob.headers)
    assert await notifications(client, alice) == []
    assert await count(runtime, Notification) == 0


async def test_notify_rules(factory: Factory, runtime: Runtime) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    await block(runtime, carol, alice)
    await follow(runtime, bob, alice)
    async with runtime.db.write() as session:
        a, b, c = alice.account.id, bob.account.id, carol.account.id
        assert (
            await notify(
                session=session, runtime=runtime, recipient_id=a, actor_id=a, type="follow"
            )
            is None
        )
        assert (
            await notify(
                session=session, runtime=runtime, recipient_id=a, actor_id=c, type="follow"
            )
            is None
        )
        assert (
            await notify(
                session=session, runtime=runtime, recipient_id=c, actor_id=a, type="follow"
            )
            is None
        )
        assert (
            await notify(
                session=session, runtime=runtime, recipient_id=a, actor_id=b, type="follow"
            )
            is not None
        )
        await session.flush()
        assert (
            await notify(
                session=session, runtime=runtime, recipient_id=a, actor_id=b, type="follow"
            )
            is None
        )
        with pytest.raises(ValueError):
            await notify(session=session, runtime=runtime, recipient_id=a, actor_id=b, type="poke")
        await session.commit()
    assert await count(runtime, Notification) == 1
