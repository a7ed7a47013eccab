"""Grouped notifications (/api/v2/notifications) and the unread counts."""

from datetime import timedelta
from typing import Any

import httpx

from roost.core.db import utcnow
from roost.notifications.grouping import group_key_for
from roost.notifications.models import Notification
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.statuses.helpers import block, post


async def grouped(
    client: httpx.AsyncClient, user: User, params: Any = None
) -> tuple[dict[str, Any], httpx.Response]:
    response = await client.get("/api/v2/notifications", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, response


async def favourite(client: httpx.AsyncClient, user: User, status_id: str) -> None:
    response = await client.post(f"/api/v1/statuses/{status_id}/favourite", headers=user.headers)
    assert response.status_code == 200, response.text


async def test_favourites_of_one_post_make_one_group(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    fans = [await factory.user(name) for name in ("bob", "carol", "dave")]
    mine = await post(client, alice, "a post")
    other = await post(client, alice, "another post")
    for fan in fans:
        await favourite(client, fan, mine["id"])
    await favourite(client, fans[0], other["id"])
    mention = await post(client, fans[1], "@alice hi")

    body, _ = await grouped(client, alice)
    groups = body["notification_groups"]
    assert [g["type"] for g in groups] == ["mention", "favourite", "favourite"]
    talk, fav_other, fav_mine = groups
    assert talk["group_key"].startswith("ungrouped-")
    assert talk["status_id"] == mention["id"] and talk["notifications_count"] == 1
    assert fav_mine["status_id"] == mine["id"]
    assert fav_mine["notifications_count"] == 3
    assert fav_mine["sample_account_ids"] == [fans[2].id, fans[1].id, fans[0].id]
    assert fav_other["notifications_count"] == 1
    assert fav_mine["group_key"] != fav_other["group_key"]
    assert fav_mine["group_key"].startswith(f"favourite-{mine['id']}-")
    assert set(fav_mine) >= {
        "group_key",
        "notifications_count",
        "type",
        "most_recent_notification_id",
        "page_min_id",
        "page_max_id",
        "latest_page_notification_at",
        "sample_account_ids",
        "status_id",
    }
    assert int(fav_mine["page_min_id"]) < int(fav_mine["page_max_id"])
    assert fav_mine["latest_page_notification_at"].endswith("Z")
    # every account and status named, each once, in full
    assert sorted(a["id"] for a in body["accounts"]) == sorted(u.id for u in fans)
    assert sorted(s["id"] for s in body["statuses"]) == sorted(
        [mine["id"], other["id"], mention["id"]]
    )
    # the v1 list shows each notification, with its group's key
    v1 = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    assert len(v1) == 5
    assert {n["group_key"] for n in v1 if n["type"] == "favourite"} == {
        fav_mine["group_key"],
        fav_other["group_key"],
    }


async def test_follows_group_and_grouped_types_choose_what_groups(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    for fan in (bob, carol):
        followed = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=fan.headers)
        assert followed.status_code == 200
    body, _ = await grouped(client, alice)
    [follows] = body["notification_groups"]
    assert follows["type"] == "follow" and follows["notifications_count"] == 2
    assert "status_id" not in follows

    body, _ = await grouped(client, alice, [("grouped_types[]", "favourite")])
    assert [g["notifications_count"] for g in body["notification_groups"]] == [1, 1]
    assert all(g["group_key"].startswith("ungrouped-") for g in body["notification_groups"])


async def test_a_group_spans_twelve_hours_at_most(runtime: Runtime, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    start = utcnow()
    async with runtime.db.write() as session:

        async def key_at(at: Any) -> str | None:
            key = await group_key_for(
                session, recipient_id=alice.account.id, type="follow", status_id=None, at=at
            )
            session.add(
                Notification(
                    id=int(at.timestamp() * 1000) << 22,
                    account_id=alice.account.id,
                    from_account_id=bob.account.id,
                    type="follow",
                    created_at=at,
                    group_key=key,
                )
            )
            await session.flush()
            return key

        first = await key_at(start)
        assert await key_at(start + timedelta(hours=11)) == first
        later = await key_at(start + timedelta(hours=13))
        assert later != first
        mention = await group_key_for(
            session, recipient_id=alice.account.id, type="mention", status_id=1, at=start
        )
        assert mention is None


async def test_paging_by_group_with_link_headers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    posts = [await post(client, alice, f"post {n}") for n in range(3)]
    for status in posts:
        await favourite(client, bob, status["id"])
    await favourite(client, await factory.user("carol"), posts[2]["id"])

    body, response = await grouped(client, alice, {"limit": 2})
    first = body["notification_groups"]
    assert [g["status_id"] for g in first] == [posts[2]["id"], posts[1]["id"]]
    link = response.headers["link"]
    assert 'rel="next"' in link and 'rel="prev"' in link
    older_max = link.split("max_id=")[1].split(">")[0]
    assert older_max == first[-1]["page_max_id"]
    body, _ = await grouped(client, alice, {"limit": 2, "max_id": older_max})
    assert [g["status_id"] for g in body["notification_groups"]] == [posts[0]["id"]]
    newest = link.split("min_id=")[1].split(">")[0]
    body, empty = await grouped(client, alice, {"min_id": newest})
    assert body == {"accounts": [], "statuses": [], "notification_groups": []}
    assert "link" not in empty.headers


async def test_one_group_its_accounts_and_dismissing_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    mine = await post(client, alice, "a post")
    await favourite(client, bob, mine["id"])
    await favourite(client, carol, mine["id"])
    body, _ = await grouped(client, alice)
    [group] = body["notification_groups"]
    key = group["group_key"]

    one = await client.get(f"/api/v2/notifications/{key}", headers=alice.headers)
    assert one.status_code == 200
    [same] = one.json()["notification_groups"]
    assert same["notifications_count"] == 2 and "page_min_id" not in same
    accounts = await client.get(f"/api/v2/notifications/{key}/accounts", headers=alice.headers)
    assert [a["id"] for a in accounts.json()] == [carol.id, bob.id]
    assert (
        await client.get(f"/api/v2/notifications/{key}", headers=bob.headers)
    ).status_code == 404
    assert (
        await client.get("/api/v2/notifications/nothing-here", headers=alice.headers)
    ).status_code == 404

    dismissed = await client.post(f"/api/v2/notifications/{key}/dismiss", headers=alice.headers)
    assert dismissed.status_code == 200 and dismissed.json() == {}
    body, _ = await grouped(client, alice)
    assert body["notification_groups"] == []

    talk = await post(client, bob, "@alice hey")
    body, _ = await grouped(client, alice)
    [mention] = body["notification_groups"]
    assert mention["status_id"] == talk["id"]
    ungrouped = mention["group_key"]
    assert (
        await client.get(f"/api/v2/notifications/{ungrouped}", headers=alice.headers)
    ).status_code == 200
    await client.post(f"/api/v2/notifications/{ungrouped}/dismiss", headers=alice.headers)
    assert (await grouped(client, alice))[0]["notification_groups"] == []


async def test_blocked_accounts_leave_the_groups(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    mine = await post(client, alice, "a post")
    await favourite(client, bob, mine["id"])
    await favourite(client, carol, mine["id"])
    await block(runtime, alice, carol)
    body, _ = await grouped(client, alice)
    [group] = body["notification_groups"]
    assert group["notifications_count"] == 1
    assert group["sample_account_ids"] == [bob.id]
    assert [a["id"] for a in body["accounts"]] == [bob.id]


async def test_unread_counts_follow_the_notifications_marker(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    mine = await post(client, alice, "a post")
    await favourite(client, bob, mine["id"])
    await favourite(client, carol, mine["id"])
    await post(client, bob, "@alice one")

    async def count(version: str, **params: Any) -> int:
        response = await client.get(
            f"/api/{version}/notifications/unread_count", params=params, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        value: int = response.json()["count"]
        return value

    assert await count("v1") == 3
    assert await count("v2") == 2  # two favourites make one group
    assert await count("v1", limit=2) == 2
    assert await count("v1", **{"types[]": "mention"}) == 1
    assert await count("v1", **{"exclude_types[]": "mention"}) == 2

    v1 = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    marked = await client.post(
        "/api/v1/markers",
        json={"notifications": {"last_read_id": v1[1]["id"]}},
        headers=alice.headers,
    )
    assert marked.status_code == 200
    assert await count("v1") == 1
    assert await count("v2") == 1
