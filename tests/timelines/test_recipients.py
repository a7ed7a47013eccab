"""Who receives a post: every path that fills a home or list timeline agrees
(recipients.py).

For generated graphs (follows with boosts shown or hidden, blocks, mutes, lists with
each replies policy, exclusive or not, followed hashtags) and posts (every
visibility, mentions, replies to followed, unfollowed and the owner, boosts,
hashtags), the same cast is played out in three worlds on one database:

- ``fan-out``: follows first, then the posts, each fanned out on write;
- ``merge``: the same with a fan-out limit of 0, so every followed author's posts
  come in by the read-time merge;
- ``back-fill``: the posts first, then the follows, whose back-fill brings them in.

Each owner's home must show the same posts by fan-out and by merge, and the same as
the timeline rebuilt from SQL (from the rule, and after Redis lost every timeline)
and as what the user stream's check admits; each list the same by fan-out, by merge,
by back-fill (lists are made after the follows) and rebuilt from SQL. The back-fill
world's homes may lack only the replies to someone the owner followed after
following the replier, as on Mastodon.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from roost.runtime import Runtime
from roost.statuses.models import Status
from roost.timelines.rebuild import home_from_sql, list_from_sql
from roost.timelines.recipients import admits
from tests.conftest import REDIS, AppClient
from tests.factories import Factory, User
from tests.timelines.helpers import forget_everything

SEEDS = range(8)
PEOPLE = 5
ACTIONS = 14
TAGS = ("t0", "t1")
POLICIES = ("followed", "list", "none")
_worlds = itertools.count()


@dataclass
class Cast:
    """One generated graph and script of posts, by person number."""

    follows: dict[tuple[int, int], bool] = field(default_factory=dict)  # -> show boosts
    blocks: set[tuple[int, int]] = field(default_factory=set)
    mutes: set[tuple[int, int]] = field(default_factory=set)
    # (kind, author, visibility, mentioned, target action number or None, tags)
    actions: list[tuple[str, int, str, tuple[int, ...], int | None, tuple[str, ...]]] = field(
        default_factory=list
    )
    # (owner, replies policy, exclusive, members: people the owner follows)
    lists: list[tuple[int, str, bool, tuple[int, ...]]] = field(default_factory=list)
    tag_follows: set[tuple[int, str]] = field(default_factory=set)

    def replies_to_others(self) -> set[str]:
        return {
            f"a{n}"
            for n, (kind, author, _, _, target, _) in enumerate(self.actions)
            if kind == "reply" and target is not None and self.actions[target][1] != author
        }


def labels(shown: frozenset[str]) -> set[str]:
    return {entry.split(":")[1] for entry in shown}


def generate(seed: int) -> Cast:
    rng = random.Random(seed)
    cast = Cast()
    pairs = [(a, b) for a in range(PEOPLE) for b in range(PEOPLE) if a != b]
    for a, b in pairs:
        if rng.random() < 0.55:
            cast.follows[(a, b)] = rng.random() < 0.7
    for a, b in pairs:
        unfollowed = (a, b) not in cast.follows and (b, a) not in cast.follows
        if unfollowed and rng.random() < 0.15:
            cast.blocks.add((a, b))
        elif rng.random() < 0.12:
            cast.mutes.add((a, b))
    for _ in range(ACTIONS):
        author = rng.randrange(PEOPLE)
        kind = rng.choice(["post", "post", "reply", "reply", "boost"])
        # Replies and boosts only of what the author can read without following anyone,
        # so each action succeeds or fails alike in every world.
        earlier = [
            n
            for n, (kind_, by, visibility_, *_) in enumerate(cast.actions)
            if kind_ != "boost" and (visibility_ in ("public", "unlisted") or by == author)
        ]
        target = rng.choice(earlier) if kind != "post" and earlier else None
        if target is None:
            kind = "post"
        visibility = rng.choice(["public", "public", "unlisted", "private", "direct"])
        others = [p for p in range(PEOPLE) if p != author]
        mentioned = tuple(sorted(rng.sample(others, rng.choice([0, 0, 1, 2]))))
        tags = tuple(tag for tag in TAGS if rng.random() < 0.3)
        cast.actions.append((kind, author, visibility, mentioned, target, tags))
    for person in range(PEOPLE):
        followed = sorted(b for a, b in cast.follows if a == person)
        for _ in range(rng.choice([0, 1, 2])):
            members = tuple(m for m in followed if rng.random() < 0.5)
            exclusive = rng.random() < 0.3
            cast.lists.append((person, rng.choice(POLICIES), exclusive, members))
        for tag in TAGS:
            if rng.random() < 0.3:
                cast.tag_follows.add((person, tag))
    return cast


@dataclass
class World:
    runtime: Runtime
    client: httpx.AsyncClient
    people: list[User]
    labels: dict[int, str] = field(default_factory=dict)  # status id -> action label
    list_ids: list[tuple[int, int]] = field(default_factory=list)  # (list id, owner)
    world: str = ""  # hashtags are this world's own: worlds share one database

    async def call(self, person: int, method: str, path: str, **body: object) -> httpx.Response:
        return await self.client.request(
            method, path, json=body or None, headers=self.people[person].headers
        )

    async def relate(self, cast: Cast, *, follows: bool, others: bool) -> None:
        if others:
            for a, b in sorted(cast.blocks):
                assert (await self.call(a, "POST", self.path(b, "block"))).status_code == 200
            for a, b in sorted(cast.mutes):
                assert (await self.call(a, "POST", self.path(b, "mute"))).status_code == 200
        if follows:
            for (a, b), reblogs in sorted(cast.follows.items()):
                response = await self.call(a, "POST", self.path(b, "follow"), reblogs=reblogs)
                assert response.status_code == 200, response.text
            for person, tag in sorted(cast.tag_follows):
                path = f"/api/v1/tags/{self.world}{tag}/follow"
                response = await self.call(person, "POST", path)
                assert response.status_code == 200, response.text
            await self.runtime.jobs.drain()
            await self.make_lists(cast)
        await self.runtime.jobs.drain()

    async def make_lists(self, cast: Cast) -> None:
        """The cast's lists, after the follows their members need; each read once so it
        is live (with Redis) and deliveries reach it."""
        for owner, policy, exclusive, members in cast.lists:
            made = await self.call(
                owner,
                "POST",
                "/api/v1/lists",
                title="l",
                replies_policy=policy,
                exclusive=exclusive,
            )
            assert made.status_code == 200, made.text
            list_id = made.json()["id"]
            if members:
                ids = [self.people[m].id for m in members]
                added = await self.call(
                    owner, "POST", f"/api/v1/lists/{list_id}/accounts", account_ids=ids
                )
                assert added.status_code == 200, added.text
            self.list_ids.append((int(list_id), owner))
        await self.runtime.jobs.drain()
        await self.read_lists()

    async def read_lists(self) -> None:
        for list_id, owner in self.list_ids:
            response = await self.call(owner, "GET", f"/api/v1/timelines/list/{list_id}?limit=40")
            assert response.status_code == 200, response.text
        await self.runtime.jobs.drain()

    def path(self, person: int, verb: str) -> str:
        return f"/api/v1/accounts/{self.people[person].id}/{verb}"

    async def act(self, cast: Cast) -> None:
        made: dict[int, str] = {}  # action number -> status id
        for number, (kind, author, visibility, mentioned, target, tags) in enumerate(cast.actions):
            label = f"a{number}"
            parent = made.get(target) if target is not None else None
            if kind == "boost":
                if parent is None:
                    continue
                response = await self.call(author, "POST", f"/api/v1/statuses/{parent}/reblog")
            else:
                if kind == "reply" and parent is None:
                    continue
                names = " ".join(f"@{self.people[p].account.username}" for p in mentioned)
                hashtags = " ".join(f"#{self.world}{tag}" for tag in tags)
                fields: dict[str, object] = {
                    "status": f"{label} {names} {hashtags}",
                    "visibility": visibility,
                }
                if parent is not None:
                    fields["in_reply_to_id"] = parent
                response = await self.call(author, "POST", "/api/v1/statuses", **fields)
            if response.status_code != 200:  # not visible to them, blocked: as in every world
                continue
            made[number] = response.json()["id"]
            self.labels[int(made[number])] = label
            await self.runtime.jobs.drain()

    async def read_all(self) -> None:
        """Every owner reads their home: the read-time merge runs here."""
        for person in range(PEOPLE):
            response = await self.call(person, "GET", "/api/v1/timelines/home?limit=40")
            assert response.status_code == 200
        await self.read_lists()

    async def shown(self, status_ids: list[int]) -> frozenset[str]:
        """The posts a timeline shows: ``post:label``, or ``boost:label`` for a post shown
        only as a boost (which boost of it comes first may differ between worlds)."""
        async with self.runtime.db.read() as session:
            rows = (
                await session.execute(
                    select(Status.id, Status.reblog_of_id).where(Status.id.in_(status_ids))
                )
            ).all()
        posts = {self.labels[s] for s, original in rows if original is None}
        boosts = {self.labels[o] for _, o in rows if o is not None} - posts
        return frozenset({f"post:{p}" for p in posts} | {f"boost:{b}" for b in boosts})

    async def homes(self) -> list[frozenset[str]]:
        store = self.runtime.timelines
        found = []
        for user in self.people:
            entries = await store.page(user.account.id, limit=1000)
            found.append(await self.shown([e.status_id for e in entries]))
        return found

    async def lists(self) -> list[frozenset[str]]:
        found = []
        for list_id, _ in self.list_ids:
            entries = await self.runtime.list_timelines.page(list_id, limit=1000)
            found.append(await self.shown([e.status_id for e in entries]))
        return found

    async def rebuilt_lists(self) -> list[frozenset[str]]:
        found = []
        for list_id, owner in self.list_ids:
            fills = await list_from_sql(self.runtime, list_id, self.people[owner].account.id)
            found.append(await self.shown([f.status_id for f in fills]))
        return found

    async def rebuilt(self) -> list[frozenset[str]]:
        found = []
        for user in self.people:
            fills = await home_from_sql(self.runtime, user.account.id)
            found.append(await self.shown([f.status_id for f in fills]))
        return found

    async def admitted(self) -> list[frozenset[str]]:
        found = []
        async with self.runtime.db.read() as session:
            for user in self.people:
                admitted = [s for s in self.labels if await admits(session, user.account.id, s)]
                found.append(await self.shown(admitted))
        return found


async def cast_in(runtime: Runtime, client: httpx.AsyncClient) -> World:
    world = next(_worlds)
    factory = Factory(runtime)
    people = [await factory.user(f"w{world}p{n}") for n in range(PEOPLE)]
    cast = World(runtime, client, people, world=f"w{world}")
    await cast.read_all()  # live timelines, which deliveries reach (with Redis)
    return cast


@pytest.mark.parametrize("seed", SEEDS)
async def test_fan_out_rebuild_merge_and_back_fill_fill_the_same_home(
    app_client: AppClient, seed: int
) -> None:
    cast = generate(seed)
    async with app_client() as (client, runtime):
        fanned = await cast_in(runtime, client)
        await fanned.relate(cast, follows=True, others=True)
        await fanned.act(cast)
        await fanned.read_all()
        by_fan_out = await fanned.homes()
        lists_by_fan_out = await fanned.lists()
        assert await fanned.rebuilt() == by_fan_out
        assert await fanned.admitted() == by_fan_out
        assert await fanned.rebuilt_lists() == lists_by_fan_out
        if REDIS:  # lose every timeline: the reads rebuild them from SQL
            await forget_everything(runtime)
            await fanned.read_all()
            assert await fanned.homes() == by_fan_out
            assert await fanned.lists() == lists_by_fan_out

        filled = await cast_in(runtime, client)
        await filled.relate(cast, follows=False, others=True)
        await filled.act(cast)
        await filled.relate(cast, follows=True, others=False)
        replies_to_others = cast.replies_to_others()
        for back_filled, fanned_out in zip(await filled.homes(), by_fan_out, strict=True):
            # A follow brings in what the rule admits at that moment: never more than
            # fan-out, and less only by replies to someone the owner followed later.
            assert labels(back_filled) <= labels(fanned_out)
            assert labels(fanned_out) - labels(back_filled) <= replies_to_others
        assert await filled.lists() == lists_by_fan_out

    async with app_client(fanout_limit=0) as (client, runtime):
        merged = await cast_in(runtime, client)
        await merged.relate(cast, follows=True, others=True)
        await merged.act(cast)
        await merged.read_all()
        assert await merged.homes() == by_fan_out
        assert await merged.lists() == lists_by_fan_out


def test_the_generated_casts_cover_every_case() -> None:
    """The seeds above meet each case the rule decides."""
    casts = [generate(seed) for seed in SEEDS]
    actions = [action for cast in casts for action in cast.actions]
    assert {kind for kind, *_ in actions} == {"post", "reply", "boost"}
    assert {visibility for _, _, visibility, _, _, _ in actions} == {
        "public",
        "unlisted",
        "private",
        "direct",
    }
    assert any(mentioned for *_, mentioned, _, _ in actions)
    assert any(len(tags) == 2 for *_, tags in actions)
    lists = [made for cast in casts for made in cast.lists]
    assert {policy for _, policy, _, _ in lists} == set(POLICIES)
    assert any(exclusive and members for _, _, exclusive, members in lists)
    assert any(cast.tag_follows for cast in casts)
    assert any(cast.blocks for cast in casts)
    assert any(cast.mutes for cast in casts)
    assert any(not shown for cast in casts for shown in cast.follows.values())


async def test_a_reply_to_the_owner_reaches_them_by_fan_out(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """Ada follows Bob, not herself: Bob's reply to Ada is hers all the same."""
    ada, bob = await factory.user("ada"), await factory.user("bob")
    await client.get("/api/v1/timelines/home", headers=ada.headers)  # live, with Redis
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=ada.headers)
    first = await client.post("/api/v1/statuses", json={"status": "hi"}, headers=ada.headers)
    reply = await client.post(
        "/api/v1/statuses",
        json={"status": "@ada hello", "in_reply_to_id": first.json()["id"]},
        headers=bob.headers,
    )
    await runtime.jobs.drain()
    entries = await runtime.timelines.page(ada.account.id, limit=10)
    assert int(reply.json()["id"]) in {e.status_id for e in entries}


async def test_a_follow_does_not_back_fill_replies_to_strangers(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await client.get("/api/v1/timelines/home", headers=ada.headers)
    said = await client.post("/api/v1/statuses", json={"status": "cy"}, headers=cy.headers)
    to_cy = await client.post(
        "/api/v1/statuses",
        json={"status": "@cy yes", "in_reply_to_id": said.json()["id"]},
        headers=bob.headers,
    )
    own = await client.post("/api/v1/statuses", json={"status": "mine"}, headers=bob.headers)
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=ada.headers)
    await runtime.jobs.drain()
    shown = {e.status_id for e in await runtime.timelines.page(ada.account.id, limit=10)}
    assert int(own.json()["id"]) in shown
    assert int(to_cy.json()["id"]) not in shown
