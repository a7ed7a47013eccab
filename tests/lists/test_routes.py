"""Lists over the API: CRUD, members, and the list timeline (both stores)."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.timelines.helpers import follow, link_cursor, post


async def make_list(client: httpx.AsyncClient, owner: User, title: str, **fields: object) -> str:
    response = await client.post(
        "/api/v1/lists", json={"title": title, **fields}, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def add(client: httpx.AsyncClient, owner: User, list_id: str, *members: User) -> None:
    response = await client.post(
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [m.id for m in members]},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text


async def list_ids(
    client: httpx.AsyncClient, owner: User, list_id: str, **params: str
) -> list[str]:
    response = await client.get(
        f"/api/v1/timelines/list/{list_id}", params=params, headers=owner.headers
    )
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def home_ids(client: httpx.AsyncClient, owner: User) -> list[str]:
    response = await client.get("/api/v1/timelines/home", headers=owner.headers)
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


async def test_create_show_update_delete(client: httpx.AsyncClient, factory: Factory) -> None:
    ada, bob = await factory.user("ada"), await factory.user("bob")
    created = await client.post("/api/v1/lists", json={"title": "Friends"}, headers=ada.headers)
    assert created.json() == {
        "id": created.json()["id"],
        "title": "Friends",
        "replies_policy": "list",
        "exclusive": False,
    }
    list_id = created.json()["id"]
    updated = await client.put(
        f"/api/v1/lists/{list_id}",
        data={"title": "Pals", "replies_policy": "followed", "exclusive": "true"},
        headers=ada.headers,
    )
    assert updated.status_code == 200
    assert updated.json()["title"] == "Pals"
    assert updated.json()["replies_policy"] == "followed"
    assert updated.json()["exclusive"] is True
    shown = await client.get(f"/api/v1/lists/{list_id}", headers=ada.headers)
    assert shown.json() == updated.json()
    assert [x["id"] for x in (await client.get("/api/v1/lists", headers=ada.headers)).json()] == [
        list_id
    ]
    # Someone else's list does not exist for them.
    for method in ("GET", "PUT", "DELETE"):
        other = await client.request(
            method, f"/api/v1/lists/{list_id}", json={"title": "x"}, headers=bob.headers
        )
        assert other.status_code == 404
    assert (
        await client.get(f"/api/v1/timelines/list/{list_id}", headers=bob.headers)
    ).status_code == 404
    assert (await client.get("/api/v1/lists", headers=bob.headers)).json() == []

    deleted = await client.delete(f"/api/v1/lists/{list_id}", headers=ada.headers)
    assert deleted.status_code == 200
    assert (await client.get(f"/api/v1/lists/{list_id}", headers=ada.headers)).status_code == 404
    assert (
        await client.get(f"/api/v1/timelines/list/{list_id}", headers=ada.headers)
    ).status_code == 404


async def test_bad_input_is_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    ada = await factory.user("ada")
    blank = await client.post("/api/v1/lists", json={"title": " "}, headers=ada.headers)
    assert blank.status_code == 422
    assert blank.json() == {"error": "Validation failed: Title can't be blank"}
    missing = await client.post("/api/v1/lists", json={}, headers=ada.headers)
    assert missing.status_code == 422
    policy = await client.post(
        "/api/v1/lists", json={"title": "x", "replies_policy": "some"}, headers=ada.headers
    )
    assert policy.status_code == 422
    assert policy.json() == {"error": "'some' is not a valid replies_policy"}
    assert (await client.get("/api/v1/lists", headers=ada.headers)).json() == []
    assert (await client.get("/api/v1/lists/abc", headers=ada.headers)).status_code in (404, 422)
    assert (await client.get("/api/v1/lists")).status_code == 401


async def test_members_must_be_followed_and_page_with_link(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada = await factory.user("ada")
    people = [await factory.user(f"p{n}") for n in range(5)]
    stranger = await factory.user("stranger")
    await follow(runtime, ada, *people)
    list_id = await make_list(client, ada, "All")

    refused = await client.post(
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [people[0].id, stranger.id]},
        headers=ada.headers,
    )
    assert refused.status_code == 422
    assert refused.json() == {"error": "Validation failed: Account has not been followed"}
    unknown = await client.post(
        f"/api/v1/lists/{list_id}/accounts", json={"account_ids": ["12345"]}, headers=ada.headers
    )
    assert unknown.status_code == 404
    members = await client.get(f"/api/v1/lists/{list_id}/accounts", headers=ada.headers)
    assert members.json() == []  # nothing half-written

    for person in people:
        await add(client, ada, list_id, person)
    await add(client, ada, list_id, people[0])  # again: no change
    first = await client.get(
        f"/api/v1/lists/{list_id}/accounts", params={"limit": 3}, headers=ada.headers
    )
    assert [a["id"] for a in first.json()] == [p.id for p in reversed(people)][:3]
    cursor = link_cursor(first, "next")
    assert cursor is not None
    rest = await client.get(
        f"/api/v1/lists/{list_id}/accounts",
        params={"limit": 3, "max_id": cursor},
        headers=ada.headers,
    )
    assert [a["id"] for a in rest.json()] == [people[1].id, people[0].id]
    everyone = await client.get(
        f"/api/v1/lists/{list_id}/accounts", params={"limit": 0}, headers=ada.headers
    )
    assert len(everyone.json()) == 5

    holding = await client.get(f"/api/v1/accounts/{people[2].id}/lists", headers=ada.headers)
    assert [x["id"] for x in holding.json()] == [list_id]
    removed = await client.request(
        "DELETE",
        f"/api/v1/lists/{list_id}/accounts",
        json={"account_ids": [people[2].id]},
        headers=ada.headers,
    )
    assert removed.status_code == 200
    assert (
        await client.get(f"/api/v1/accounts/{people[2].id}/lists", headers=ada.headers)
    ).json() == []


async def test_the_list_timeline_shows_members_posts(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await follow(runtime, ada, bob, cy)
    list_id = await make_list(client, ada, "Bob")
    before = await post(client, bob, "before joining")
    await add(client, ada, list_id, bob)
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == [before]  # back-filled

    by_bob = await post(client, bob, "hello")
    by_cy = await post(client, cy, "not in the list")
    mine = await post(client, ada, "own posts stay in home")
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == [by_bob, before]
    assert set(await home_ids(client, ada)) == {by_bob, by_cy, mine, before}


async def test_replies_policy(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy, dee = [await factory.user(name) for name in ("ada", "bob", "cy", "dee")]
    await follow(runtime, ada, bob, cy)  # not dee
    lists = {
        policy: await make_list(client, ada, policy, replies_policy=policy)
        for policy in ("followed", "list", "none")
    }
    for list_id in lists.values():
        await add(client, ada, list_id, bob)
    said = {who.account.username: await post(client, who, "hi") for who in (ada, bob, cy, dee)}
    replies = {
        to: await post(client, bob, f"@{to} re", in_reply_to_id=said[to])
        for to in ("ada", "bob", "cy", "dee")
    }
    await runtime.jobs.drain()
    shown = {policy: set(await list_ids(client, ada, lid)) for policy, lid in lists.items()}
    # To the owner and to oneself: always; to someone followed: "followed" only; to a
    # stranger: never (the home rule's own reply condition).
    assert shown["followed"] == {said["bob"], replies["ada"], replies["bob"], replies["cy"]}
    assert shown["list"] == {said["bob"], replies["ada"], replies["bob"]}
    assert shown["none"] == {said["bob"], replies["ada"], replies["bob"]}

    # "list": a reply to another member shows.
    await add(client, ada, lists["list"], cy)
    to_member = await post(client, bob, "@cy again", in_reply_to_id=said["cy"])
    await runtime.jobs.drain()
    assert to_member in await list_ids(client, ada, lists["list"])
    assert to_member not in await list_ids(client, ada, lists["none"])


async def test_exclusive_lists_take_members_out_of_home(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await follow(runtime, ada, bob, cy)
    await home_ids(client, ada)  # live, with Redis
    old = await post(client, bob, "old")
    await runtime.jobs.drain()
    assert old in await home_ids(client, ada)
    list_id = await make_list(client, ada, "Loud", exclusive=True)
    await add(client, ada, list_id, bob)
    new = await post(client, bob, "new")
    by_cy = await post(client, cy, "cy")
    await runtime.jobs.drain()
    assert await home_ids(client, ada) == [by_cy]
    assert await list_ids(client, ada, list_id) == [new, old]

    # No longer exclusive: bob's posts come back into home.
    await client.put(f"/api/v1/lists/{list_id}", json={"exclusive": False}, headers=ada.headers)
    await runtime.jobs.drain()
    assert set(await home_ids(client, ada)) == {old, new, by_cy}


async def test_unfollowing_leaves_the_lists(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob = await factory.user("ada"), await factory.user("bob")
    await follow(runtime, ada, bob)
    list_id = await make_list(client, ada, "Bob")
    await add(client, ada, list_id, bob)
    said = await post(client, bob, "hi")
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == [said]
    await client.post(f"/api/v1/accounts/{bob.id}/unfollow", headers=ada.headers)
    await runtime.jobs.drain()
    members = await client.get(f"/api/v1/lists/{list_id}/accounts", headers=ada.headers)
    assert members.json() == []
    assert await list_ids(client, ada, list_id) == []
    await post(client, bob, "after")
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == []


async def test_blocks_and_mutes_hold_in_lists(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await follow(runtime, ada, bob)
    list_id = await make_list(client, ada, "Bob")
    await add(client, ada, list_id, bob)
    await client.post(f"/api/v1/accounts/{cy.id}/mute", headers=ada.headers)
    said = await post(client, cy, "muted one")
    boost = await client.post(f"/api/v1/statuses/{said}/reblog", headers=bob.headers)
    assert boost.status_code == 200
    mine = await post(client, bob, "own")
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == [mine]  # a boost of a muted person: no
    await client.post(f"/api/v1/accounts/{bob.id}/mute", headers=ada.headers)
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == []


async def test_big_accounts_are_merged_into_lists(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    from tests.timelines.helpers import make_big

    ada, star = await factory.user("ada"), await factory.user("star")
    await follow(runtime, ada, star)
    await make_big(runtime, star.account.id)
    list_id = await make_list(client, ada, "Stars")
    await add(client, ada, list_id, star)
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == []
    said = await post(client, star, "to a million")
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == [said]
    again = await post(client, star, "again")
    await runtime.jobs.drain()
    assert await list_ids(client, ada, list_id) == [again, said]
