"""A suspended account stops at once and vanishes from every read path for everyone
else; unsuspending brings all of it back. On the run's backend: the SQL timeline
store without Redis, the Redis store and kept home pages with it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, update

from roost.accounts.models import Account
from roost.core.db import commit
from roost.core.errors import Unprocessable
from roost.moderation.effects import settle
from roost.moderation.service import (
    approve_account,
    suspend_account,
    unsuspend_account,
)
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.statuses.models import Status
from roost.statuses.render import render_statuses
from roost.timelines.fanout import fan_out
from tests.conftest import AppClient, Scaled
from tests.factories import PASSWORD, Factory, User
from tests.moderation.scene import Scene, call, make_scene, moderate, observe
from tests.oauth.support import password_token, register_app
from tests.timelines.helpers import HOME, link_cursor, post
from tests.web.helpers import login


@pytest.fixture
async def scene(client: httpx.AsyncClient, runtime: Runtime, factory: Factory) -> Scene:
    return await make_scene(client, runtime, factory)


async def test_every_read_path_hides_a_suspended_account_and_shows_it_again(
    scene: Scene,
) -> None:
    before = await observe(scene)
    assert before == {
        "home": [scene.alice_post],  # bob already had dave's post: no second appearance
        "list": sorted([scene.alice_post, scene.alice_boost]),  # dave is not in the list
        "public": [scene.alice_post],  # a reply to someone else is not on it
        "tag": [scene.alice_post],
        "account": sorted(  # the direct message too: it mentions carol
            [scene.alice_post, scene.alice_reply, scene.alice_direct, scene.alice_boost]
        ),
        "status": 200,
        "thread": [scene.alice_reply],
        "search": [scene.alice_post],
        "bookmarks": [scene.alice_post],
        "trends": [scene.alice_post],
        "notifications": ["favourite", "follow", "mention", "mention"],
        "conversation": [scene.alice_direct],
        "counts": (1, 1, 1, 1),
        "profile": (False, "Alice A."),
    }

    await scene.act(suspend_account)
    assert await observe(scene) == {
        "home": [],
        "list": [],
        "public": [],
        "tag": [],
        "account": [],
        "status": 404,
        "thread": [],
        "search": [],
        "bookmarks": [],
        "trends": [],
        "notifications": [],
        "conversation": [None],  # carol's conversation stays, without alice's post
        "counts": (0, 0, 0, 0),
        "profile": (True, ""),  # Mastodon's entity for a suspended account
    }
    # Nor can anyone act on her posts, or follow her.
    for path in (
        f"/api/v1/statuses/{scene.alice_post}/favourite",
        f"/api/v1/accounts/{scene.alice.id}/follow",
    ):
        refused = await scene.client.post(path, headers=scene.carol.headers)
        assert refused.status_code == 404, refused.text
    assert (await scene.get("/@alice")).status_code == 404  # the web page's profile

    await scene.act(unsuspend_account)
    assert await observe(scene) == before


async def test_a_suspended_accounts_tokens_and_sign_in_stop_at_once(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    app = await register_app(client)
    await scene.act(suspend_account)
    me = await client.get("/api/v1/accounts/verify_credentials", headers=scene.alice.headers)
    assert (me.status_code, me.json()["error"]) == (403, "Your account is suspended")
    public = await client.get("/api/v1/timelines/public", headers=scene.alice.headers)
    assert public.status_code == 403  # an optional token too
    grant = await password_token(client, app, "alice", PASSWORD)
    assert (grant.status_code, grant.json()["error_description"]) == (
        403,
        "Your account is suspended",
    )
    page = await login(client, "alice")
    assert page.status_code == 403
    assert "suspended by the moderators" in page.text

    await scene.act(unsuspend_account)
    me = await client.get("/api/v1/accounts/verify_credentials", headers=scene.alice.headers)
    assert me.status_code == 200  # nothing was revoked: the same token works again
    assert (await password_token(client, app, "alice", PASSWORD)).status_code == 200


async def test_a_fan_out_delivering_after_the_suspension_shows_nothing(
    scene: Scene, runtime: Runtime
) -> None:
    """The race: a fan-out that read its recipients before the suspension delivers
    after it (here, after the job that took alice's entries out ran too). The entry
    lands in bob's timeline, and nobody sees it; unsuspending shows it."""
    await scene.json("/api/v1/timelines/home", scene.bob)  # live (Redis keeps only those)
    late = await post(scene.client, scene.alice, "posted just before the suspension")
    await runtime.jobs.drain()
    await scene.act(suspend_account)
    await fan_out(runtime, status_id=int(late))  # the held-back delivery lands now
    entries = await runtime.timelines.page(scene.bob.account.id, limit=40)
    assert int(late) in {e.status_id for e in entries}  # delivered into the store...
    home = await scene.json("/api/v1/timelines/home", scene.bob)
    assert late not in {s["id"] for s in home}  # ... and shown to nobody
    await scene.act(unsuspend_account)
    home = await scene.json("/api/v1/timelines/home", scene.bob)
    assert late in {s["id"] for s in home}


async def test_a_suspension_takes_its_entries_out_of_the_timeline_stores(
    scene: Scene, runtime: Runtime
) -> None:
    """The job keeps pages full: alice's entries leave bob's home and list timelines
    (not only hidden at read), and come back on unsuspension."""
    bob = scene.bob.account.id
    await scene.json("/api/v1/timelines/home", scene.bob)  # live (Redis keeps only those)
    await scene.json(f"/api/v1/timelines/list/{scene.list_id}", scene.bob)

    async def stored() -> tuple[set[int], set[int]]:
        home = await runtime.timelines.page(bob, limit=40)
        lists = await runtime.list_timelines.page(int(scene.list_id), limit=40)
        return {e.status_id for e in home}, {e.status_id for e in lists}

    post_id = int(scene.alice_post)
    assert all(post_id in found for found in await stored())
    await scene.act(suspend_account)
    assert not any(post_id in found for found in await stored())
    await scene.act(unsuspend_account)
    assert all(post_id in found for found in await stored())


async def test_kept_home_pages_do_not_outlive_a_suspension(
    app_client: AppClient, redis_url: str
) -> None:
    """With Redis a first home page is kept (and answered before routing); neither the
    follower's kept page nor the suspended account's own may be served after it. Kept
    pages need Redis, so this runs with Redis in either pass."""
    async with app_client(redis_url=redis_url) as (client, runtime):
        scene = await make_scene(client, runtime, Factory(runtime))
        await _kept_pages_end(scene, runtime)


async def _kept_pages_end(scene: Scene, runtime: Runtime) -> None:
    for who in (scene.bob, scene.alice):
        for _ in range(2):  # the second read is answered from the kept page
            assert (await scene.get("/api/v1/timelines/home", who)).status_code == 200
    assert runtime.redis is not None
    kept = [k async for k in runtime.redis.scan_iter(match=f"{runtime.settings.redis_prefix}hp:*")]
    assert len(kept) == 2
    async with runtime.db.write() as session:  # suspended, and no job has run yet
        alice = await session.get(Account, scene.alice.account.id)
        assert alice is not None
        await suspend_account(runtime=runtime, session=session, account=alice)
        await commit(session)
    home = await scene.json("/api/v1/timelines/home", scene.bob)
    assert scene.alice_post not in {s["id"] for s in home}
    own = await scene.get("/api/v1/timelines/home", scene.alice)
    assert own.status_code == 403
    await runtime.jobs.drain()


async def test_wrong_states_are_refused_and_change_nothing(scene: Scene, runtime: Runtime) -> None:
    with pytest.raises(Unprocessable, match="not suspended"):
        await scene.act(unsuspend_account)
    with pytest.raises(Unprocessable, match="already approved"):
        await scene.act(approve_account)
    await scene.act(suspend_account)
    with pytest.raises(Unprocessable, match="already suspended"):
        await scene.act(suspend_account)
    async with runtime.db.read() as session:
        tokens = await session.scalars(
            select(AccessToken.revoked_at).where(AccessToken.account_id == scene.alice.account.id)
        )
        assert tokens.all() == [None]  # a suspension revokes nothing


async def test_a_settle_job_running_after_the_suspension_was_lifted_restores(
    scene: Scene, runtime: Runtime
) -> None:
    """Jobs may run late and out of order: the job a suspension queued runs only after
    the suspension was lifted (and that lifting's own job ran first). It settles on
    the state it finds, so alice's entries end up in bob's timeline, not out of it."""
    await scene.json("/api/v1/timelines/home", scene.bob)  # live (Redis keeps only those)
    await scene.act(suspend_account)
    async with runtime.db.write() as session:  # lifted, with its job already done
        await session.execute(
            update(Account).where(Account.id == scene.alice.account.id).values(suspended_at=None)
        )
        await commit(session)
    await settle(runtime, account_id=scene.alice.account.id)
    entries = await runtime.timelines.page(scene.bob.account.id, limit=40)
    assert int(scene.alice_post) in {e.status_id for e in entries}


async def test_a_follow_removed_during_a_suspension_leaves_the_counts_true(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    """carol has two followers, alice and dave. alice is suspended: carol shows one.
    carol blocks alice meanwhile, which removes alice's follow: still one, not zero,
    and still one once alice is back (she no longer follows carol)."""
    s = scene
    await call(client, s.dave, f"/api/v1/accounts/{s.carol.id}/follow")

    async def followers() -> int:
        carol = await s.json(f"/api/v1/accounts/{s.carol.id}", s.carol)
        return int(carol["followers_count"])

    assert await followers() == 2
    await s.act(suspend_account)
    assert await followers() == 1
    await call(client, s.carol, f"/api/v1/accounts/{s.alice.id}/block")
    assert await followers() == 1
    await s.act(unsuspend_account)
    assert await followers() == 1


async def test_a_moderator_reviewing_still_sees_the_withheld_posts(
    scene: Scene, runtime: Runtime
) -> None:
    """Rendering for a moderator (a report, an account under review) shows what the
    rule withholds from everyone else; the same render without the flag does not."""
    await scene.act(suspend_account)
    async with runtime.db.read() as session:
        status = await session.get(Status, int(scene.alice_post))
        assert status is not None
        viewer = scene.carol.account.id
        assert await render_statuses(session, [status], viewer, runtime=runtime) == []
        [shown] = await render_statuses(session, [status], viewer, runtime=runtime, moderating=True)
    assert shown["id"] == scene.alice_post and shown["account"]["suspended"] is True


async def whole_home(client: httpx.AsyncClient, who: User) -> list[str]:
    """Every post in ``who``'s home, newest first, paged as a client pages it."""
    found: list[str] = []
    max_id: str | None = None
    while True:
        params = {"limit": 40} | ({"max_id": max_id} if max_id else {})
        response = await client.get(HOME, params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        found += [status["id"] for status in response.json()]
        max_id = link_cursor(response, "next")
        if not response.json() or max_id is None:
            return found


async def posted_in_turn(
    client: httpx.AsyncClient, runtime: Runtime, authors: list[User]
) -> list[str]:
    """One post by each author in turn, each delivered before the next is posted."""
    posted = []
    for n, author in enumerate(authors):
        posted.append(await post(client, author, f"post {n}"))
        await runtime.jobs.drain()
    return posted


async def test_unsuspending_puts_every_post_back_in_its_place(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """More of alice's posts than a follow brings in (40) come back into bob's home
    after the suspension, each where it was among dave's, as if never gone."""
    alice, bob, dave = [await factory.user(name) for name in ("alice", "bob", "dave")]
    for target in (alice, dave):
        await call(client, bob, f"/api/v1/accounts/{target.id}/follow")
    authors = [dave if n % 9 == 0 else alice for n in range(50)]  # 44 by alice
    assert await whole_home(client, bob) == []  # live: deliveries land as they happen
    posted = await posted_in_turn(client, runtime, authors)
    newest_first = list(reversed(posted))
    assert await whole_home(client, bob) == newest_first

    await moderate(runtime, suspend_account, alice)
    daves = [p for p, author in zip(posted, authors, strict=True) if author is dave]
    assert await whole_home(client, bob) == list(reversed(daves))
    await moderate(runtime, unsuspend_account, alice)
    assert await whole_home(client, bob) == newest_first


async def test_a_capped_redis_timeline_gets_back_what_it_holds(scaled: Scaled) -> None:
    """On Redis a timeline holds ``timeline_cap`` entries (6 here): the newest 6 of
    alice's and dave's posts come back in order; a timeline that was not live is left
    to its rebuild, which has them too."""
    runtime, client, factory = scaled
    alice, bob, carol, dave = [
        await factory.user(name) for name in ("alice", "bob", "carol", "dave")
    ]
    for reader in (bob, carol):
        for target in (alice, dave):
            await call(client, reader, f"/api/v1/accounts/{target.id}/follow")
    authors = [alice, dave, alice, alice, dave, alice, alice, dave, alice, alice]
    await whole_home(client, bob)  # live; carol's is not
    posted = await posted_in_turn(client, runtime, authors)
    newest = list(reversed(posted))[:6]
    assert await whole_home(client, bob) == newest

    await moderate(runtime, suspend_account, alice)
    assert not await runtime.timelines.is_live(carol.account.id)
    await moderate(runtime, unsuspend_account, alice)
    assert not await runtime.timelines.is_live(carol.account.id)  # nothing half-made
    assert await whole_home(client, bob) == newest
    assert await whole_home(client, carol) == newest
