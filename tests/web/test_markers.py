"""The markers API, and the unread count on the web page that uses the same marker."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from roost.core.runtime import Runtime
from roost.web.models import Marker
from tests.factories import Factory
from tests.web.helpers import JSON_ACCEPT, signed_in

_BADGE = re.compile(r'<span id="unread-count" class="badge">([^<]*)</span>')


async def _markers(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Marker)) or 0)


async def test_markers_round_trip(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    url = "/api/v1/markers?timeline[]=home&timeline[]=notifications"
    assert (await client.get(url, headers=alice.headers)).json() == {}

    saved = await client.post(
        "/api/v1/markers", data={"home[last_read_id]": "103"}, headers=alice.headers
    )
    assert saved.status_code == 200
    home = saved.json()["home"]
    assert home["last_read_id"] == "103" and home["version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", home["updated_at"])

    again = await client.post(
        "/api/v1/markers",
        json={"home": {"last_read_id": "99"}, "notifications": {"last_read_id": 7}},
        headers=alice.headers,
    )
    assert again.json()["home"] == {**again.json()["home"], "last_read_id": "99", "version": 2}
    assert again.json()["notifications"]["last_read_id"] == "7"

    both = (await client.get(url, headers=alice.headers)).json()
    assert both["home"]["last_read_id"] == "99" and both["notifications"]["version"] == 1
    only = await client.get("/api/v1/markers?timeline[]=notifications", headers=alice.headers)
    assert list(only.json()) == ["notifications"]

    bob = await factory.user("bob")
    assert (await client.get(url, headers=bob.headers)).json() == {}  # one's own markers only


async def test_markers_bad_input(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    reader = await factory.token(alice, "read")
    writer = await factory.token(alice, "write:statuses")
    cases = [
        ({}, {"Authorization": f"Bearer {writer}"}, 400),
        ({"lists[last_read_id]": "5"}, alice.headers, 400),
        ({"home[last_read_id]": "abc"}, alice.headers, 422),
        ({"home[last_read_id]": "-5"}, alice.headers, 422),
        ({"home[last_read_id]": "99999999999999999999"}, alice.headers, 422),
        ({"home[last_read_id]": "5"}, {"Authorization": f"Bearer {reader}"}, 403),
        ({"home[last_read_id]": "5"}, {}, 401),
    ]
    for data, headers, status in cases:
        response = await client.post("/api/v1/markers", data=data, headers=headers)
        assert response.status_code == status, data
        assert "error" in response.json()
    nested = await client.post(
        "/api/v1/markers", json={"home": {"last_read_id": True}}, headers=alice.headers
    )
    assert nested.status_code == 422
    assert (await client.get("/api/v1/markers?timeline[]=home")).status_code == 401
    writer_get = await client.get(
        "/api/v1/markers?timeline[]=home", headers={"Authorization": f"Bearer {writer}"}
    )
    assert writer_get.status_code == 403
    assert await _markers(runtime) == 0


async def test_unread_count_follows_the_notifications_marker(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    alice_id = alice.id
    people = [await factory.user(name) for name in ("bob", "carol", "dan")]
    for person in people:
        await client.post(f"/api/v1/accounts/{alice_id}/follow", headers=person.headers)
    await signed_in(client, "alice")

    home = await client.get("/home")
    assert _BADGE.findall(home.text) == ["3"]
    unread = await client.get("/notifications/unread", headers=JSON_ACCEPT)
    assert unread.json() == {"count": 3, "capped": False}

    page = await client.get("/notifications")
    assert page.text.count('class="notification card unread" data-type="follow"') == 3
    assert _BADGE.findall(page.text) == []
    assert _BADGE.findall((await client.get("/home")).text) == []
    assert (await client.get("/notifications/unread", headers=JSON_ACCEPT)).json()["count"] == 0
    again = await client.get("/notifications")
    assert 'data-type="follow"' in again.text and "card unread" not in again.text

    # Another client (the API) moving the marker back makes them unread again here.
    moved = await client.post(
        "/api/v1/markers", data={"notifications[last_read_id]": "0"}, headers=alice.headers
    )
    assert moved.json()["notifications"]["last_read_id"] == "0"
    assert _BADGE.findall((await client.get("/home")).text) == ["3"]
    # Unfollowing withdraws a notification: the count follows.
    await client.post(f"/api/v1/accounts/{alice_id}/unfollow", headers=people[0].headers)
    assert _BADGE.findall((await client.get("/home")).text) == ["2"]
