"""Searching for people: the forms clients type, ranking, blocks, following."""

from __future__ import annotations

import httpx

from tests.factories import Factory


async def accounts(client: httpx.AsyncClient, q: str, **extra: object) -> list[str]:
    headers = extra.pop("headers", None)
    response = await client.get(
        "/api/v2/search", params={"q": q, "type": "accounts", **extra}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["statuses"] == []
    assert response.json()["hashtags"] == []
    return [account["acct"] for account in response.json()["accounts"]]


async def test_every_way_of_writing_a_local_account(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("bob")
    await factory.user("bobby")
    for typed in ("bob", "@bob", "BOB", "bob@localhost", "@bob@localhost"):
        found = await accounts(client, typed)
        assert found[0] == "bob", typed  # what toot picks: the acct equal to what was typed
    assert await accounts(client, "bob@elsewhere.example") == []
    assert await accounts(client, "bob") == ["bob", "bobby"]


async def test_prefix_of_username_or_display_name(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice", display_name="Wonder Land")
    await factory.user("walter", display_name="Walt")
    await factory.user("hidden", display_name="Wonder Boy", discoverable=False)
    await factory.user("pending", approved=False)
    assert await accounts(client, "wal") == ["walter"]
    assert await accounts(client, "wonder") == ["alice"]  # not discoverable: exact only
    assert await accounts(client, "hidden") == ["hidden"]
    assert await accounts(client, "pending") == []
    assert await accounts(client, "a_%") == []  # LIKE wildcards are plain characters


async def test_blocked_accounts_are_never_found(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob, carol = (
        await factory.user("alice"),
        await factory.user("bob"),
        await factory.user("carol"),
    )
    await client.post(f"/api/v1/accounts/{bob.id}/block", headers=alice.headers)
    await client.post(f"/api/v1/accounts/{alice.id}/block", headers=carol.headers)
    assert await accounts(client, "bob", headers=alice.headers) == []
    assert await accounts(client, "carol", headers=alice.headers) == []
    assert await accounts(client, "alice", headers=bob.headers) == []
    assert await accounts(client, "bob") == ["bob"]


async def test_following_only_limit_and_offset(client: httpx.AsyncClient, factory: Factory) -> None:
    me = await factory.user("me")
    sams = [await factory.user(f"sam{n}") for n in range(4)]
    await client.post(f"/api/v1/accounts/{sams[2].id}/follow", headers=me.headers)
    assert await accounts(client, "sam", following="true", headers=me.headers) == ["sam2"]
    assert await accounts(client, "sam", following="true") == []
    first = await accounts(client, "sam", limit=2)
    rest = await accounts(client, "sam", limit=2, offset=2)
    assert len(first) == 2 and len(rest) == 2
    assert set(first) | set(rest) == {"sam0", "sam1", "sam2", "sam3"}


async def test_v1_account_search(client: httpx.AsyncClient, factory: Factory) -> None:
    me = await factory.user("me")
    bob = await factory.user("bob")
    await factory.user("bobcat")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=me.headers)
    response = await client.get("/api/v1/accounts/search", params={"q": "@bob"}, headers=me.headers)
    assert response.status_code == 200
    assert [a["acct"] for a in response.json()] == ["bob", "bobcat"]
    following = await client.get(
        "/api/v1/accounts/search", params={"q": "bob", "following": "True"}, headers=me.headers
    )
    assert [a["acct"] for a in following.json()] == ["bob"]
    limited = await client.get(
        "/api/v1/accounts/search", params={"q": "bob", "limit": "1"}, headers=me.headers
    )
    assert [a["acct"] for a in limited.json()] == ["bob"]


async def test_v1_account_search_bad_input(client: httpx.AsyncClient, factory: Factory) -> None:
    me = await factory.user("me")
    assert (await client.get("/api/v1/accounts/search?q=bob")).status_code == 401
    missing = await client.get("/api/v1/accounts/search", headers=me.headers)
    assert missing.status_code == 400
    assert "error" in missing.json()
    blank = await client.get("/api/v1/accounts/search?q=%20", headers=me.headers)
    assert blank.status_code == 400
    bad_limit = await client.get("/api/v1/accounts/search?q=a&limit=ten", headers=me.headers)
    assert bad_limit.status_code == 422
    narrow = await factory.token(me, "read:statuses")
    scoped = await client.get(
        "/api/v1/accounts/search?q=bob", headers={"Authorization": f"Bearer {narrow}"}
    )
    assert scoped.status_code == 403
