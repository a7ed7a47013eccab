import httpx
import pytest

from roost.notifications.models import Notification
from roost.runtime import Runtime
from roost.statuses.models import Favourite, Status
from tests.factories import Factory
from tests.statuses.helpers import account_row, count, follow, home, post


async def test_favourite_and_unfavourite(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = await post(client, alice, "like me")
    url = f"/api/v1/statuses/{status['id']}"

    for _ in range(2):  # favouriting twice is the same as once
        response = await client.post(f"{url}/favourite", headers=bob.headers)
        assert response.status_code == 200
        assert response.json()["favourited"] is True
        assert response.json()["favourites_count"] == 1
    assert await count(runtime, Favourite) == 1
    assert await count(runtime, Notification, account_id=alice.account.id, type="favourite") == 1
    # Others see the count, not bob's flag.
    seen = (await client.get(url, headers=alice.headers)).json()
    assert seen["favourites_count"] == 1 and seen["favourited"] is False

    for _ in range(2):
        response = await client.post(f"{url}/unfavourite", headers=bob.headers)
        assert response.status_code == 200
        assert response.json()["favourited"] is False
        assert response.json()["favourites_count"] == 0
    assert await count(runtime, Favourite) == 0
    assert await count(runtime, Notification) == 0


async def test_favouriting_your_own_post_does_not_notify(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    status = await post(client, alice, "mine")
    response = await client.post(
        f"/api/v1/statuses/{status['id']}/favourite", headers=alice.headers
    )
    assert response.json()["favourited"] is True
    assert await count(runtime, Notification) == 0


async def test_favouriting_a_boost_favourites_the_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    status = await post(client, alice, "original")
    boost = (
        await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    ).json()
    response = await client.post(f"/api/v1/statuses/{boost['id']}/favourite", headers=carol.headers)
    assert response.json()["id"] == status["id"]
    assert response.json()["favourited"] is True
    assert await count(runtime, Favourite, status_id=int(status["id"])) == 1


async def test_reblog_and_unreblog(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    await follow(runtime, carol, bob)
    assert await home(client, carol) == []  # read once: live, so the boost is fanned out
    status = await post(client, alice, "boost me")
    url = f"/api/v1/statuses/{status['id']}"

    first = await client.post(f"{url}/reblog", data={"visibility": "public"}, headers=bob.headers)
    assert first.status_code == 200
    boost = first.json()
    assert boost["id"] != status["id"]
    assert boost["account"]["id"] == bob.id
    assert boost["reblog"]["id"] == status["id"]
    assert boost["reblog"]["reblogged"] is True
    assert boost["reblog"]["reblogs_count"] == 1
    assert boost["visibility"] == "public"
    again = await client.post(f"{url}/reblog", headers=bob.headers)
    assert again.json()["id"] == boost["id"]
    assert await count(runtime, Status, reblog_of_id=int(status["id"])) == 1
    assert await count(runtime, Notification, account_id=alice.account.id, type="reblog") == 1
    assert (await account_row(runtime, bob)).statuses_count == 1
    await runtime.jobs.drain()
    # The boost reached bob's follower.
    assert [s["id"] for s in await home(client, carol)] == [boost["id"]]
    # Boosting the boost boosts the post (and is the same boost).
    via_boost = await client.post(f"/api/v1/statuses/{boost['id']}/reblog", headers=bob.headers)
    assert via_boost.json()["id"] == boost["id"]
    # Reading the boost shows it wrapped.
    read = (await client.get(f"/api/v1/statuses/{boost['id']}")).json()
    assert read["reblog"]["id"] == status["id"]

    undone = await client.post(f"{url}/unreblog", headers=bob.headers)
    assert undone.status_code == 200
    assert undone.json()["id"] == status["id"]
    assert undone.json()["reblogged"] is False
    assert undone.json()["reblogs_count"] == 0
    await runtime.jobs.drain()
    assert await count(runtime, Status, reblog_of_id=int(status["id"])) == 0
    assert await count(runtime, Notification) == 0
    assert await home(client, carol) == []
    assert (await account_row(runtime, bob)).statuses_count == 0
    assert (await client.get(f"/api/v1/statuses/{boost['id']}")).status_code == 404
    # Undoing again is harmless.
    assert (await client.post(f"{url}/unreblog", headers=bob.headers)).status_code == 200


async def test_reblog_visibility(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = await post(client, alice, "boost me")
    unlisted = await client.post(
        f"/api/v1/statuses/{status['id']}/reblog",
        json={"visibility": "unlisted"},
        headers=bob.headers,
    )
    assert unlisted.json()["visibility"] == "unlisted"
    bad = await client.post(
        f"/api/v1/statuses/{status['id']}/reblog",
        json={"visibility": "direct"},
        headers=alice.headers,
    )
    assert bad.status_code == 422
    # Your own followers-only post may be boosted, and stays followers-only.
    own = await post(client, alice, "mine", visibility="private")
    boost = await client.post(
        f"/api/v1/statuses/{own['id']}/reblog", json={"visibility": "public"}, headers=alice.headers
    )
    assert boost.status_code == 200
    assert boost.json()["visibility"] == "private"


@pytest.mark.parametrize("visibility", ["private", "direct"])
async def test_others_private_and_direct_posts_cannot_be_boosted(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, visibility: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await follow(runtime, bob, alice)
    status = await post(client, alice, "for @bob only", visibility=visibility)
    assert (
        await client.get(f"/api/v1/statuses/{status['id']}", headers=bob.headers)
    ).status_code == 200
    response = await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    assert response.status_code == 403
    assert response.json() == {"error": "This action is not allowed"}
    assert await count(runtime, Status, reblog_of_id=int(status["id"])) == 0
    if visibility == "direct":
        own = await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=alice.headers)
        assert own.status_code == 403


async def test_who_favourited_and_boosted_with_paging(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    fans = [await factory.user(f"fan{i}") for i in range(3)]
    status = await post(client, alice, "popular")
    url = f"/api/v1/statuses/{status['id']}"
    for fan in fans:
        await client.post(f"{url}/favourite", headers=fan.headers)
        await client.post(f"{url}/reblog", headers=fan.headers)

    for kind in ("favourited_by", "reblogged_by"):
        everyone = await client.get(f"{url}/{kind}")
        assert [a["id"] for a in everyone.json()] == [f.id for f in reversed(fans)]
        first = await client.get(f"{url}/{kind}", params={"limit": 2})
        assert [a["id"] for a in first.json()] == [fans[2].id, fans[1].id]
        link = first.headers["link"]
        assert link.startswith("<") and 'rel="next"' in link and 'rel="prev"' in link
        next_url = httpx.URL(link.split(">")[0][1:])
        assert next_url.params["limit"] == "2"
        rest = await client.get(next_url.path, params=next_url.params)
        assert [a["id"] for a in rest.json()] == [fans[0].id]
        nothing = await client.get(next_url.path, params={"max_id": "1"})
        assert nothing.json() == [] and "link" not in nothing.headers


async def test_interactions_need_the_right_scopes(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = await post(client, alice, "x")
    url = f"/api/v1/statuses/{status['id']}"
    for action in ("favourite", "unfavourite", "reblog", "unreblog"):
        assert (await client.post(f"{url}/{action}")).status_code == 401
    statuses_only = await factory.token(bob, "write:statuses")
    headers = {"Authorization": f"Bearer {statuses_only}"}
    assert (await client.post(f"{url}/favourite", headers=headers)).status_code == 403
    favourites_only = await factory.token(bob, "write:favourites")
    headers = {"Authorization": f"Bearer {favourites_only}"}
    assert (await client.post(f"{url}/reblog", headers=headers)).status_code == 403
    for action in ("favourite", "unfavourite", "reblog", "unreblog"):
        missing = await client.post(f"/api/v1/statuses/42/{action}", headers=bob.headers)
        assert missing.status_code == 404
        malformed = await client.post(f"/api/v1/statuses/x/{action}", headers=bob.headers)
        assert malformed.status_code == 404
    for kind in ("favourited_by", "reblogged_by"):
        assert (await client.get(f"/api/v1/statuses/42/{kind}")).status_code == 404
    assert await count(runtime, Favourite) == 0
    assert await count(runtime, Status) == 1
