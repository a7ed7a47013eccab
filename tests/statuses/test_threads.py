import httpx

from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory
from tests.statuses.helpers import block, count, follow, mute, post


async def context(
    client: httpx.AsyncClient, status_id: str, headers: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    response = await client.get(f"/api/v1/statuses/{status_id}/context", headers=headers or {})
    assert response.status_code == 200, response.text
    body = response.json()
    return [s["id"] for s in body["ancestors"]], [s["id"] for s in body["descendants"]]


async def test_a_reply_points_at_its_parent_and_counts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    root = await post(client, alice, "root")
    reply = await post(client, bob, "@alice yes", in_reply_to_id=root["id"])
    assert reply["in_reply_to_id"] == root["id"]
    assert reply["in_reply_to_account_id"] == alice.id
    await post(client, bob, "quiet", in_reply_to_id=root["id"], visibility="private")
    refreshed = (await client.get(f"/api/v1/statuses/{root['id']}")).json()
    assert refreshed["replies_count"] == 1  # followers-only replies are not counted


async def test_context_orders_ancestors_and_descendants(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    root = await post(client, alice, "root")
    a = await post(client, bob, "a", in_reply_to_id=root["id"])
    b = await post(client, alice, "b", in_reply_to_id=root["id"])
    a1 = await post(client, alice, "a1", in_reply_to_id=a["id"])
    a1x = await post(client, bob, "a1x", in_reply_to_id=a1["id"])
    a2 = await post(client, bob, "a2", in_reply_to_id=a["id"])

    ancestors, descendants = await context(client, root["id"])
    assert ancestors == []
    assert descendants == [a["id"], a1["id"], a1x["id"], a2["id"], b["id"]]

    ancestors, descendants = await context(client, a1x["id"])
    assert ancestors == [root["id"], a["id"], a1["id"]]
    assert descendants == []

    ancestors, descendants = await context(client, a["id"])
    assert ancestors == [root["id"]]
    assert descendants == [a1["id"], a1x["id"], a2["id"]]


async def test_context_hides_what_the_viewer_may_not_see(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    dave = await factory.user("dave")
    root = await post(client, alice, "root")
    private = await post(
        client, bob, "followers only", in_reply_to_id=root["id"], visibility="private"
    )
    by_carol = await post(client, carol, "carol here", in_reply_to_id=root["id"])
    public = await post(client, bob, "public", in_reply_to_id=root["id"])

    _, anonymous = await context(client, root["id"])
    assert anonymous == [by_carol["id"], public["id"]]

    await follow(runtime, dave, bob)
    _, follower = await context(client, root["id"], dave.headers)
    assert follower == [private["id"], by_carol["id"], public["id"]]

    await block(runtime, carol, dave)  # blocked by carol: dave sees nothing of hers
    _, blocked = await context(client, root["id"], dave.headers)
    assert by_carol["id"] not in blocked

    await mute(runtime, alice, bob)  # muted people's replies are hidden from alice
    _, muting = await context(client, root["id"], alice.headers)
    assert muting == [by_carol["id"]]
    # ...but a thread opened on purpose still shows the muted person above it.
    reply_to_bob = await post(client, carol, "to bob", in_reply_to_id=public["id"])
    ancestors, _ = await context(client, reply_to_bob["id"], alice.headers)
    assert ancestors == [root["id"], public["id"]]


async def test_context_of_a_hidden_status_is_not_found(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    secret = await post(client, alice, "secret", visibility="private")
    for headers in ({}, bob.headers):
        response = await client.get(f"/api/v1/statuses/{secret['id']}/context", headers=headers)
        assert response.status_code == 404
    missing = await client.get("/api/v1/statuses/1/context")
    assert missing.status_code == 404
    await block(runtime, alice, bob)
    public = await post(client, alice, "public")
    response = await client.get(f"/api/v1/statuses/{public['id']}/context", headers=bob.headers)
    assert response.status_code == 404


async def test_replying_to_what_you_cannot_see_is_not_found(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    secret = await post(client, alice, "secret", visibility="private")
    response = await client.post(
        "/api/v1/statuses",
        json={"status": "hi", "in_reply_to_id": secret["id"]},
        headers=bob.headers,
    )
    assert response.status_code == 404
    await block(runtime, alice, bob)
    public = await post(client, alice, "public")
    blocked = await client.post(
        "/api/v1/statuses",
        json={"status": "hi", "in_reply_to_id": public["id"]},
        headers=bob.headers,
    )
    assert blocked.status_code == 404
    assert await count(runtime, Status, account_id=bob.account.id) == 0


async def test_a_reply_survives_its_parent(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    root = await post(client, alice, "root")
    reply = await post(client, bob, "reply", in_reply_to_id=root["id"])
    assert (
        await client.delete(f"/api/v1/statuses/{root['id']}", headers=alice.headers)
    ).status_code == 200
    still = await client.get(f"/api/v1/statuses/{reply['id']}")
    assert still.status_code == 200
    assert still.json()["in_reply_to_id"] == root["id"]
    assert await context(client, reply["id"]) == ([], [])
