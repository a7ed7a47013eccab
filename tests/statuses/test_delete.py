import httpx

from roost.notifications.models import Notification
from roost.runtime import Runtime
from roost.statuses.models import Favourite, Mention, Status, StatusTag
from tests.factories import Factory
from tests.statuses.helpers import account_row, count, follow, home, post, shows


async def test_deleting_removes_the_post_and_everything_hanging_on_it(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await follow(runtime, bob, alice)
    assert await home(client, bob) == []  # read once: live, so what follows is fanned out
    root = await post(client, bob, "root")
    status = await post(client, alice, "hello @bob #tag", in_reply_to_id=root["id"])
    await client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.headers)
    await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    await runtime.jobs.drain()
    before = await home(client, bob)  # read: with Redis, the timeline is live from now on
    assert shows(before, root["id"]) and shows(before, status["id"])
    assert (await account_row(runtime, bob)).statuses_count == 2

    response = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.headers)
    assert response.status_code == 200
    deleted = response.json()
    assert deleted["id"] == status["id"]
    assert deleted["text"] == "hello @bob #tag"  # the source, for delete-and-redraft
    await runtime.jobs.drain()

    assert (await client.get(f"/api/v1/statuses/{status['id']}")).status_code == 404
    assert await count(runtime, Status, id=int(status["id"])) == 0
    assert await count(runtime, Status, reblog_of_id=int(status["id"])) == 0
    assert await count(runtime, Favourite) == 0
    assert await count(runtime, Mention) == 0
    assert await count(runtime, StatusTag) == 0
    assert await count(runtime, Notification, account_id=bob.account.id) == 0
    assert await count(runtime, Notification, account_id=alice.account.id) == 0
    after = await home(client, bob)  # neither the post nor bob's boost of it
    assert shows(after, root["id"]) and not shows(after, status["id"])
    assert (await account_row(runtime, alice)).statuses_count == 0
    assert (await account_row(runtime, bob)).statuses_count == 1  # the boost went too
    parent = (await client.get(f"/api/v1/statuses/{root['id']}")).json()
    assert parent["replies_count"] == 0


async def test_deleting_a_direct_message_keeps_the_count(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    await post(client, alice, "public")
    dm = await post(client, alice, "psst", visibility="direct")
    response = await client.delete(f"/api/v1/statuses/{dm['id']}", headers=alice.headers)
    assert response.status_code == 200
    assert (await account_row(runtime, alice)).statuses_count == 1


async def test_only_the_author_may_delete(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    public = await post(client, alice, "public")
    secret = await post(client, alice, "secret", visibility="private")

    forbidden = await client.delete(f"/api/v1/statuses/{public['id']}", headers=bob.headers)
    assert forbidden.status_code == 403
    assert "error" in forbidden.json()
    hidden = await client.delete(f"/api/v1/statuses/{secret['id']}", headers=bob.headers)
    assert hidden.status_code == 404
    missing = await client.delete("/api/v1/statuses/12345", headers=alice.headers)
    assert missing.status_code == 404
    anonymous = await client.delete(f"/api/v1/statuses/{public['id']}")
    assert anonymous.status_code == 401
    read_only = await factory.token(alice, "read write:favourites")
    scoped = await client.delete(
        f"/api/v1/statuses/{public['id']}", headers={"Authorization": f"Bearer {read_only}"}
    )
    assert scoped.status_code == 403
    assert await count(runtime, Status) == 2
    assert (await account_row(runtime, alice)).statuses_count == 2


async def test_deleting_a_boost_undoes_it(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = await post(client, alice, "boost me")
    boost = (
        await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    ).json()
    response = await client.delete(f"/api/v1/statuses/{boost['id']}", headers=bob.headers)
    assert response.status_code == 200
    assert response.json()["reblog"]["id"] == status["id"]
    original = (await client.get(f"/api/v1/statuses/{status['id']}", headers=bob.headers)).json()
    assert original["reblogs_count"] == 0 and original["reblogged"] is False
    assert await count(runtime, Notification) == 0
    assert (await account_row(runtime, bob)).statuses_count == 0
