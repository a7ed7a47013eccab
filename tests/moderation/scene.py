"""A cast around one account a moderator acts on, and what everyone else can see of
it on every read path a person would look at.

alice (the moderated one) posts a public ``#moderated`` post about a zeppelin, a
reply to carol, a direct message to carol, boosts dave's post, favourites carol's,
follows carol. bob follows alice and dave, keeps alice in a list and bookmarked her
post. dave favourited alice's post (so it trends). carol follows nobody.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from roost.accounts.models import Account
from roost.core.db import commit
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.timelines.helpers import post

Verb = Callable[..., Awaitable[None]]


@dataclass
class Scene:
    client: httpx.AsyncClient
    runtime: Runtime
    alice: User
    bob: User
    carol: User
    dave: User
    alice_post: str
    alice_reply: str
    alice_direct: str
    alice_boost: str
    carol_post: str
    dave_post: str
    list_id: str

    async def act(self, verb: Verb, who: User | None = None) -> None:
        await moderate(self.runtime, verb, who or self.alice)

    async def get(self, path: str, who: User | None = None, **params: Any) -> httpx.Response:
        headers = who.headers if who is not None else {}
        return await self.client.get(path, params=params, headers=headers)

    async def json(self, path: str, who: User | None = None, **params: Any) -> Any:
        response = await self.get(path, who, **params)
        assert response.status_code == 200, (path, response.text)
        return response.json()


async def moderate(runtime: Runtime, verb: Verb, who: User) -> None:
    """Run a moderation verb on ``who`` and commit, as a caller does; then let the jobs
    it queued run."""
    async with runtime.db.write() as session:
        account = await session.get(Account, who.account.id)
        assert account is not None
        await verb(runtime=runtime, session=session, account=account)
        await commit(session)
    await runtime.jobs.drain()


async def call(client: httpx.AsyncClient, who: User, path: str, **data: Any) -> Any:
    response = await client.post(path, json=data, headers=who.headers)
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def make_scene(client: httpx.AsyncClient, runtime: Runtime, factory: Factory) -> Scene:
    alice = await factory.user("alice", display_name="Alice A.")
    bob, carol, dave = [await factory.user(n) for n in ("bob", "carol", "dave")]
    for target in (alice, dave):
        await call(client, bob, f"/api/v1/accounts/{target.id}/follow")
    await call(client, alice, f"/api/v1/accounts/{carol.id}/follow")
    carol_post = await post(client, carol, "carol asks a question")
    dave_post = await post(client, dave, "dave shares a link")
    alice_post = await post(client, alice, "alice saw a zeppelin #moderated")
    alice_reply = await post(client, alice, "@carol an answer", in_reply_to_id=carol_post)
    alice_direct = await post(client, alice, "@carol psst", visibility="direct")
    alice_boost = (await call(client, alice, f"/api/v1/statuses/{dave_post}/reblog"))["id"]
    await call(client, alice, f"/api/v1/statuses/{carol_post}/favourite")
    await call(client, dave, f"/api/v1/statuses/{alice_post}/favourite")
    await call(client, bob, f"/api/v1/statuses/{alice_post}/bookmark")
    listed = await call(client, bob, "/api/v1/lists", title="close")
    await call(client, bob, f"/api/v1/lists/{listed['id']}/accounts", account_ids=[alice.id])
    await runtime.jobs.drain()
    return Scene(
        client,
        runtime,
        alice,
        bob,
        carol,
        dave,
        alice_post,
        alice_reply,
        alice_direct,
        str(alice_boost),
        carol_post,
        dave_post,
        listed["id"],
    )


def _by(author: User, statuses: list[dict[str, Any]]) -> list[str]:
    """The ids of ``author``'s statuses among these, and of their boosts of others."""
    return sorted(
        s["id"]
        for s in statuses
        if s["account"]["id"] == author.id
        or (s.get("reblog") and s["reblog"]["account"]["id"] == author.id)
    )


async def observe(scene: Scene) -> dict[str, Any]:
    """What others see of alice, path by path: her statuses on each timeline, her post
    and thread, search, her notifications and conversation with carol, the counts her
    doings are part of, her profile."""
    s, alice = scene, scene.alice
    home = await s.json("/api/v1/timelines/home", s.bob)
    status = await s.get(f"/api/v1/statuses/{s.alice_post}", s.carol)
    context = await s.json(f"/api/v1/statuses/{s.carol_post}/context", s.carol)
    search = await s.json("/api/v2/search", s.carol, q="zeppelin", type="statuses")
    notes = await s.json("/api/v1/notifications", s.carol)
    conversations = await s.json("/api/v1/conversations", s.carol)
    profile = await s.json(f"/api/v1/accounts/{alice.id}", s.carol)
    carol_post = await s.json(f"/api/v1/statuses/{s.carol_post}", s.carol)
    dave_post = await s.json(f"/api/v1/statuses/{s.dave_post}", s.carol)
    carol = await s.json(f"/api/v1/accounts/{s.carol.id}", s.carol)
    return {
        "home": _by(alice, home),
        "list": _by(alice, await s.json(f"/api/v1/timelines/list/{s.list_id}", s.bob)),
        "public": _by(alice, await s.json("/api/v1/timelines/public")),
        "tag": _by(alice, await s.json("/api/v1/timelines/tag/moderated", s.carol)),
        "account": _by(alice, await s.json(f"/api/v1/accounts/{alice.id}/statuses", s.carol)),
        "status": status.status_code,
        "thread": _by(alice, context["descendants"]),
        "search": _by(alice, search["statuses"]),
        "bookmarks": _by(alice, await s.json("/api/v1/bookmarks", s.bob)),
        "trends": _by(alice, await s.json("/api/v1/trends/statuses")),
        "notifications": sorted(n["type"] for n in notes if n["account"]["id"] == alice.id),
        "conversation": [(c["last_status"] or {}).get("id") for c in conversations],
        "counts": (
            carol_post["favourites_count"],
            carol_post["replies_count"],
            dave_post["reblogs_count"],
            carol["followers_count"],
        ),
        "profile": (profile.get("suspended", False), profile["display_name"]),
    }
