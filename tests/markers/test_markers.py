"""The markers API, and the unread count on the web page that uses the same marker."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import func, select

from roost.markers.models import Marker
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.web.helpers import JSON_ACCEPT, fetch_headers, signed_in, timeline_cursors

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


async def _home_marker(client: httpx.AsyncClient, user: User) -> dict[str, Any]:
    response = await client.get("/api/v1/markers?timeline[]=home", headers=user.headers)
    marker: dict[str, Any] = response.json().get("home", {})
    return marker


async def _post(client: httpx.AsyncClient, user: User, text: str) -> str:
    response = await client.post("/api/v1/statuses", data={"status": text}, headers=user.headers)
    return str(response.json()["id"])


async def test_the_home_page_moves_the_home_marker(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    first = [await _post(client, bob, f"post {n}") for n in range(3)]
    await runtime.jobs.drain()
    assert await _home_marker(client, alice) == {}
    await signed_in(client, "alice")  # lands on /home

    marker = await _home_marker(client, alice)
    assert marker["last_read_id"] == first[-1] and marker["version"] == 1
    home = await client.get("/home")  # the same top: nothing to write
    assert 'data-marker-url="/home/marker"' in home.text
    assert (await _home_marker(client, alice))["version"] == 1
    assert "data-marker-url" not in (await client.get("/explore")).text

    newer = await _post(client, bob, "post 3")
    await runtime.jobs.drain()
    _, oldest = timeline_cursors(home.text)
    await client.get(f"/home?max_id={oldest}")  # paging back is no reading of the top
    assert (await _home_marker(client, alice))["last_read_id"] == first[-1]
    await client.get("/")  # signed in, / is home
    marker = await _home_marker(client, alice)
    assert marker["last_read_id"] == newer and marker["version"] == 2

    # Other clients page from it: the API turns the id into its exact timeline cursor.
    after = await _post(client, bob, "post 4")
    await runtime.jobs.drain()
    since = await client.get(f"/api/v1/timelines/home?min_id={newer}", headers=alice.headers)
    assert [s["id"] for s in since.json()] == [after]


async def test_showing_new_posts_moves_the_home_marker_forward_only(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    token = await signed_in(client, "alice")  # an empty home: no marker yet
    assert await _home_marker(client, alice) == {}
    posts = [await _post(client, bob, f"post {n}") for n in range(3)]  # they arrive
    await runtime.jobs.drain()

    async def show(status_id: str) -> httpx.Response:
        return await client.post(
            "/home/marker", data={"last_read_id": status_id}, headers=fetch_headers(token)
        )

    moved = await show(posts[2])
    assert moved.status_code == 200 and moved.json() == {"moved": True}
    assert (await _home_marker(client, alice))["last_read_id"] == posts[2]
    assert (await show(posts[0])).json() == {"moved": False}  # never back
    assert (await _home_marker(client, alice))["last_read_id"] == posts[2]

    # Another client saved a timeline cursor (the Link header's) at the newest post:
    # the web page compares positions in the timeline, not raw numbers.
    page = await client.get("/api/v1/timelines/home", headers=alice.headers)
    cursor = page.links["prev"]["url"].split("min_id=")[1]
    await client.post("/api/v1/markers", data={"home[last_read_id]": cursor}, headers=alice.headers)
    assert (await show(posts[2])).json() == {"moved": False}
    latest = await _post(client, bob, "post 3")
    await runtime.jobs.drain()
    assert (await show(latest)).json() == {"moved": True}
    assert (await _home_marker(client, alice))["last_read_id"] == latest


async def test_home_marker_bad_input(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    carol = await factory.user("carol")
    stranger = await _post(client, carol, "not in alice's home")
    own = await _post(client, alice, "mine")
    await runtime.jobs.drain()
    signed_out = await client.post("/home/marker", data={"last_read_id": own}, headers=JSON_ACCEPT)
    assert signed_out.status_code == 401 and "error" in signed_out.json()
    token = await signed_in(client, "alice")
    before = await _home_marker(client, alice)  # her own post, on top of her home
    assert before["last_read_id"] == own
    cases = [
        ({"last_read_id": own}, JSON_ACCEPT, 403),  # no CSRF token
        ({"last_read_id": own}, {**JSON_ACCEPT, "X-CSRF-Token": "forged"}, 403),
        ({}, fetch_headers(token), 422),
        ({"last_read_id": "abc"}, fetch_headers(token), 422),
        ({"last_read_id": "-1"}, fetch_headers(token), 422),
        ({"last_read_id": "9" * 20}, fetch_headers(token), 422),
        ({"last_read_id": stranger}, fetch_headers(token), 422),
    ]
    for data, headers, status in cases:
        response = await client.post("/home/marker", data=data, headers=headers)
        assert response.status_code == status, data
        assert "error" in response.json()
    assert await _home_marker(client, alice) == before
