"""Followers, following, blocks and mutes: paging by relation id, Link headers, privacy."""

from __future__ import annotations

import re

import httpx

from tests.factories import Factory, User


def link_params(response: httpx.Response) -> dict[str, str]:
    """{"next": "max_id=...", "prev": "min_id=..."} from the Link header."""
    found = re.findall(
        r"<[^>]*\?(?:[^>]*&)?((?:max|min)_id=\d+)[^>]*>; rel=\"(\w+)\"",
        response.headers.get("link", ""),
    )
    return {rel: cursor for cursor, rel in found}


async def test_followers_page_newest_first_with_link_header(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    star = await factory.user("star")
    fans: list[User] = []
    for n in range(5):
        fan = await factory.user(f"fan{n}")
        await client.post(f"/api/v1/accounts/{star.id}/follow", headers=fan.headers)
        fans.append(fan)

    first = await client.get(f"/api/v1/accounts/{star.id}/followers", params={"limit": 2})
    assert first.status_code == 200
    assert [a["username"] for a in first.json()] == ["fan4", "fan3"]
    link = first.headers["link"]
    assert link.startswith("<http")
    assert re.match(r'<([^>]+)>; rel="next"', link)
    assert "limit=2" in link
    cursors = link_params(first)

    second = await client.get(f"/api/v1/accounts/{star.id}/followers?limit=2&{cursors['next']}")
    assert [a["username"] for a in second.json()] == ["fan2", "fan1"]
    third = await client.get(
        f"/api/v1/accounts/{star.id}/followers?limit=2&{link_params(second)['next']}"
    )
    assert [a["username"] for a in third.json()] == ["fan0"]
    last = await client.get(
        f"/api/v1/accounts/{star.id}/followers?limit=2&{link_params(third)['next']}"
    )
    assert last.json() == []
    assert "link" not in last.headers

    # min_id: the entries just newer than the cursor, still newest first.
    newer = await client.get(
        f"/api/v1/accounts/{star.id}/followers?limit=2&{link_params(third)['prev']}"
    )
    assert [a["username"] for a in newer.json()] == ["fan2", "fan1"]
    since = await client.get(
        f"/api/v1/accounts/{star.id}/followers?limit=2&"
        + link_params(third)["prev"].replace("min_id", "since_id")
    )
    assert [a["username"] for a in since.json()] == ["fan4", "fan3"]

    following = await client.get(f"/api/v1/accounts/{fans[0].id}/following")
    assert [a["username"] for a in following.json()] == ["star"]
    assert following.json()[0]["followers_count"] == 5


async def test_lists_hide_accounts_blocked_either_way_with_the_viewer(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    star, alice, bob, viewer = (
        await factory.user("star"),
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("viewer"),
    )
    for fan in (alice, bob):
        await client.post(f"/api/v1/accounts/{star.id}/follow", headers=fan.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/block", headers=viewer.headers)
    await client.post(f"/api/v1/accounts/{viewer.id}/block", headers=bob.headers)
    url = f"/api/v1/accounts/{star.id}/followers"
    assert {a["username"] for a in (await client.get(url)).json()} == {"alice", "bob"}
    assert (await client.get(url, headers=viewer.headers)).json() == []
    assert len((await client.get(url, headers=star.headers)).json()) == 2

    # Someone who blocks the viewer shows the viewer no lists at all.
    await client.post(f"/api/v1/accounts/{viewer.id}/block", headers=star.headers)
    assert (
        await client.get(f"/api/v1/accounts/{star.id}/following", headers=viewer.headers)
    ).json() == []


async def test_follower_lists_bad_input(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    for path in ("followers", "following"):
        assert (await client.get(f"/api/v1/accounts/4242/{path}")).status_code == 404
        assert (await client.get(f"/api/v1/accounts/x1/{path}")).status_code == 404
        bad_cursor = await client.get(f"/api/v1/accounts/{alice.id}/{path}?max_id=abc")
        assert bad_cursor.status_code in (400, 422)
        assert "error" in bad_cursor.json()
        # A token, if sent, must be valid and allow reading accounts.
        invalid = await client.get(
            f"/api/v1/accounts/{alice.id}/{path}", headers={"Authorization": "Bearer nope"}
        )
        assert invalid.status_code == 401
        narrow = await factory.token(alice, "write")
        wrong_scope = await client.get(
            f"/api/v1/accounts/{alice.id}/{path}", headers={"Authorization": f"Bearer {narrow}"}
        )
        assert wrong_scope.status_code == 403


async def test_blocks_and_mutes_lists(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    others = [await factory.user(f"user{n}") for n in range(3)]
    for other in others:
        await client.post(f"/api/v1/accounts/{other.id}/block", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{others[0].id}/mute", headers=alice.headers)

    blocks = await client.get("/api/v1/blocks", params={"limit": 2}, headers=alice.headers)
    assert blocks.status_code == 200
    assert [a["username"] for a in blocks.json()] == ["user2", "user1"]
    older = await client.get(
        f"/api/v1/blocks?limit=2&{link_params(blocks)['next']}", headers=alice.headers
    )
    assert [a["username"] for a in older.json()] == ["user0"]

    mutes = await client.get("/api/v1/mutes", headers=alice.headers)
    assert [a["username"] for a in mutes.json()] == ["user0"]
    assert mutes.json()[0]["mute_expires_at"] is None
    assert "link" in mutes.headers

    # Nobody else sees alice's lists: they are the viewer's own.
    assert (await client.get("/api/v1/blocks", headers=others[0].headers)).json() == []


async def test_blocks_and_mutes_need_their_scopes(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    assert (await client.get("/api/v1/blocks")).status_code == 401
    assert (await client.get("/api/v1/mutes")).status_code == 401
    mutes_only = await factory.token(alice, "read:mutes")
    headers = {"Authorization": f"Bearer {mutes_only}"}
    assert (await client.get("/api/v1/blocks", headers=headers)).status_code == 403
    assert (await client.get("/api/v1/mutes", headers=headers)).status_code == 200
    legacy = {"Authorization": f"Bearer {await factory.token(alice, 'follow')}"}
    assert (await client.get("/api/v1/blocks", headers=legacy)).status_code == 200


async def test_follow_requests_is_always_empty(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    response = await client.get("/api/v1/follow_requests", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == []
    assert (await client.get("/api/v1/follow_requests")).status_code == 401
