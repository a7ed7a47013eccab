"""A follow request is not a follow: whoever asks to follow a locked account sees none of
its followers-only posts on any read path until the request is authorized, in the
embedded mode and in the scaled one (Redis timelines, kept home pages, big accounts
merged at read time). The user stream's side is in tests/streaming/test_privacy.py."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.conftest import Scaled
from tests.factories import Factory, User
from tests.timelines.helpers import make_big, post


async def ids(client: httpx.AsyncClient, user: User, path: str, **params: str) -> list[str]:
    response = await client.get(path, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


async def what_the_requester_sees(
    client: httpx.AsyncClient, requester: User, author: User, root: str, private: list[str]
) -> set[str]:
    """Every followers-only post of ``private`` the requester reaches by any read path
    (``root`` is a public post the private ones reply to)."""
    seen = set(await ids(client, requester, "/api/v1/timelines/home"))
    seen |= set(await ids(client, requester, f"/api/v1/accounts/{author.id}/statuses"))
    context = await client.get(f"/api/v1/statuses/{root}/context", headers=requester.headers)
    seen |= {s["id"] for s in context.json()["descendants"]}
    for status_id in private:
        opened = await client.get(f"/api/v1/statuses/{status_id}", headers=requester.headers)
        if opened.status_code != 404:
            seen.add(status_id)
        url = (await client.get(f"/api/v1/statuses/{status_id}", headers=author.headers)).json()
        found = await client.get(
            "/api/v2/search",
            params={"q": url["url"], "type": "statuses", "resolve": "true"},
            headers=requester.headers,
        )
        seen |= {s["id"] for s in found.json()["statuses"]}
    found = await client.get(
        "/api/v2/search", params={"q": "secret", "type": "statuses"}, headers=requester.headers
    )
    seen |= {s["id"] for s in found.json()["statuses"]}
    return seen & set(private)


async def scene(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> tuple[User, User, str, list[str]]:
    """A locked author with followers-only posts before and after a request waits."""
    author = await factory.user("author", locked=True)
    requester = await factory.user("requester")
    await ids(client, requester, "/api/v1/timelines/home")  # a kept page, in scaled mode
    root = await post(client, author, "a public secret")
    before = await post(client, author, "secret one", visibility="private", in_reply_to_id=root)
    asked = await client.post(f"/api/v1/accounts/{author.id}/follow", headers=requester.headers)
    assert asked.json()["requested"] is True
    after = await post(client, author, "secret two", visibility="private", in_reply_to_id=root)
    alone = await post(client, author, "secret three", visibility="private")
    await runtime.jobs.drain()
    return author, requester, root, [before, after, alone]


async def test_a_requester_sees_no_followers_only_post(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    author, requester, root, private = await scene(client, runtime, factory)
    assert await what_the_requester_sees(client, requester, author, root, private) == set()
    # The public post is found on the same paths: they were looked at, not broken.
    assert root in await ids(client, requester, f"/api/v1/accounts/{author.id}/statuses")
    shown = await client.get(f"/api/v1/accounts/{author.id}", headers=requester.headers)
    assert shown.json()["followers_count"] == 0
    assert await ids(client, requester, f"/api/v1/accounts/{author.id}/followers") == []

    # Once authorized, every path shows them.
    answer = await client.post(
        f"/api/v1/follow_requests/{requester.id}/authorize", headers=author.headers
    )
    assert answer.status_code == 200
    await runtime.jobs.drain()
    assert await what_the_requester_sees(client, requester, author, root, private) == set(private)
    shown = await client.get(f"/api/v1/accounts/{author.id}", headers=requester.headers)
    assert shown.json()["followers_count"] == 1


async def test_a_requester_sees_no_followers_only_post_when_scaled(scaled: Scaled) -> None:
    runtime, client, factory = scaled
    author, requester, root, private = await scene(client, runtime, factory)
    assert await what_the_requester_sees(client, requester, author, root, private) == set()

    # A big account's posts are merged into the home at read time: still nothing.
    await make_big(runtime, author.account.id)
    late = await post(client, author, "secret four", visibility="private")
    await runtime.jobs.drain()
    private.append(late)
    assert await what_the_requester_sees(client, requester, author, root, private) == set()

    answer = await client.post(
        f"/api/v1/follow_requests/{requester.id}/authorize", headers=author.headers
    )
    assert answer.status_code == 200
    await runtime.jobs.drain()
    assert late in await ids(client, requester, "/api/v1/timelines/home")
