"""A direct post is seen by its author and the people it mentions, on every path."""

from typing import Any

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.statuses.helpers import follow, post


def ids(page: list[dict[str, Any]]) -> set[str]:
    return {s["id"] for s in page}


async def get(client: httpx.AsyncClient, path: str, user: User | None = None, **params: Any) -> Any:
    response = await client.get(path, params=params, headers=user.headers if user else {})
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def test_a_direct_post_stays_between_its_participants(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    follower = await factory.user("follower")
    await follow(runtime, follower, alice)
    await follow(runtime, bob, alice)
    opener = await post(client, alice, "an open post #plans")
    # the follower reads home first, so a kept page exists when the direct post arrives
    assert opener["id"] in ids(await get(client, "/api/v1/timelines/home", follower))
    secret = await post(
        client, alice, "@bob zebracode #plans", visibility="direct", in_reply_to_id=opener["id"]
    )
    await runtime.jobs.drain()

    for viewer in (follower, None):
        name = viewer.account.username if viewer else "anonymous"
        if viewer is not None:
            assert secret["id"] not in ids(await get(client, "/api/v1/timelines/home", viewer))
            assert await get(client, "/api/v1/conversations", viewer) == [], name
            found = await get(client, "/api/v2/search", viewer, q="zebracode", type="statuses")
            assert found["statuses"] == [], name
        assert secret["id"] not in ids(await get(client, "/api/v1/timelines/public", viewer))
        assert secret["id"] not in ids(await get(client, "/api/v1/timelines/tag/plans", viewer))
        assert secret["id"] not in ids(
            await get(client, f"/api/v1/accounts/{alice.id}/statuses", viewer)
        )
        context = await get(client, f"/api/v1/statuses/{opener['id']}/context", viewer)
        assert context["descendants"] == [], name
        one = await client.get(
            f"/api/v1/statuses/{secret['id']}", headers=viewer.headers if viewer else {}
        )
        assert one.status_code == 404, name

    # the participants see it
    for participant in (alice, bob):
        [conversation] = await get(client, "/api/v1/conversations", participant)
        assert conversation["last_status"]["id"] == secret["id"]
        context = await get(client, f"/api/v1/statuses/{opener['id']}/context", participant)
        assert ids(context["descendants"]) == {secret["id"]}
    assert secret["id"] in ids(await get(client, f"/api/v1/accounts/{alice.id}/statuses", bob))
