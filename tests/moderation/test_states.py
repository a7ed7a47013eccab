"""Silenced, sensitized, disabled, approved and rejected accounts, as everyone else and
the account itself see them."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from roost.accounts.models import Account
from roost.core.errors import Unprocessable
from roost.moderation.service import (
    approve_account,
    disable_account,
    enable_account,
    reject_account,
    sensitize_account,
    silence_account,
    unsensitize_account,
    unsilence_account,
)
from roost.notifications.models import Notification
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from tests.factories import PASSWORD, Factory
from tests.moderation.scene import Scene, call, make_scene, moderate
from tests.oauth.support import password_token, register_app
from tests.timelines.helpers import post
from tests.web.helpers import login


@pytest.fixture
async def scene(client: httpx.AsyncClient, runtime: Runtime, factory: Factory) -> Scene:
    return await make_scene(client, runtime, factory)


def ids(statuses: list[dict[str, object]]) -> set[object]:
    return {s["id"] for s in statuses}


async def test_a_silenced_account_is_seen_by_its_followers_only(scene: Scene) -> None:
    s = scene
    await s.act(silence_account)
    profile = await s.json(f"/api/v1/accounts/{s.alice.id}", s.carol)
    assert profile["limited"] is True and profile["display_name"] == "Alice A."
    # bob follows alice: his home and list still have her, and so do her profile,
    # her post and search, for him.
    assert s.alice_post in ids(await s.json("/api/v1/timelines/home", s.bob))
    assert s.alice_post in ids(await s.json(f"/api/v1/timelines/list/{s.list_id}", s.bob))
    assert (await s.get(f"/api/v1/statuses/{s.alice_post}", s.bob)).status_code == 200
    found = await s.json("/api/v2/search", s.bob, q="zeppelin", type="statuses")
    assert ids(found["statuses"]) == {s.alice_post}
    # Nobody, her followers included, gets her on public and hashtag timelines or trends.
    for who in (None, s.bob, s.carol):
        for path in ("/api/v1/timelines/public", "/api/v1/timelines/tag/moderated"):
            assert s.alice_post not in ids(await s.json(path, who))
        assert s.alice_post not in ids(await s.json("/api/v1/trends/statuses", who))
    # carol does not follow her: no post, reply, thread entry, search hit, notification.
    assert (await s.get(f"/api/v1/statuses/{s.alice_post}", s.carol)).status_code == 404
    assert await s.json(f"/api/v1/accounts/{s.alice.id}/statuses", s.carol) == []
    context = await s.json(f"/api/v1/statuses/{s.carol_post}/context", s.carol)
    assert context["descendants"] == []
    found = await s.json("/api/v2/search", s.carol, q="zeppelin", type="statuses")
    assert found["statuses"] == []
    notes = await s.json("/api/v1/notifications", s.carol)
    assert [n for n in notes if n["account"]["id"] == s.alice.id] == []
    # What she does now to carol is dropped, not just hidden; to bob it is told.
    carol_new = await post(s.client, s.carol, "carol again")
    bob_new = await post(s.client, s.bob, "bob again")
    for status_id in (carol_new, bob_new):
        await call(s.client, s.alice, f"/api/v1/statuses/{status_id}/favourite")
    async with s.runtime.db.read() as session:
        told = await session.scalars(
            select(Notification.account_id).where(
                Notification.from_account_id == s.alice.account.id,
                Notification.type == "favourite",
                Notification.status_id.in_([int(carol_new), int(bob_new)]),
            )
        )
        assert told.all() == [s.bob.account.id]
    # She still acts normally: her own view is unchanged.
    assert s.alice_post in ids(await s.json("/api/v1/timelines/home", s.alice))

    await s.act(unsilence_account)
    profile = await s.json(f"/api/v1/accounts/{s.alice.id}", s.carol)
    assert "limited" not in profile
    assert s.alice_post in ids(await s.json("/api/v1/timelines/public"))
    assert (await s.get(f"/api/v1/statuses/{s.alice_post}", s.carol)).status_code == 200
    notes = await s.json("/api/v1/notifications", s.carol)
    assert {n["type"] for n in notes if n["account"]["id"] == s.alice.id} == {
        "favourite",
        "follow",
        "mention",
    }


async def test_a_sensitized_accounts_posts_render_sensitive_for_others(scene: Scene) -> None:
    s = scene
    await s.act(sensitize_account)
    for who in (s.bob, s.carol, None):
        shown = await s.json(f"/api/v1/statuses/{s.alice_post}", who)
        assert shown["sensitive"] is True
    # On a timeline too, and for a boost of her post.
    boost = await call(s.client, s.dave, f"/api/v1/statuses/{s.alice_post}/reblog")
    await s.runtime.jobs.drain()
    public = await s.json(f"/api/v1/accounts/{s.dave.id}/statuses", s.carol)
    [shown] = [p for p in public if p["id"] == boost["id"]]
    assert shown["reblog"]["sensitive"] is True and shown["sensitive"] is False
    mine = await s.json(f"/api/v1/statuses/{s.alice_post}", s.alice)
    assert mine["sensitive"] is False  # as Mastodon: the author sees what they set
    await s.act(unsensitize_account)
    assert (await s.json(f"/api/v1/statuses/{s.alice_post}", s.bob))["sensitive"] is False


async def test_a_disabled_login_cannot_sign_in_or_use_tokens_but_its_posts_stay(
    scene: Scene, client: httpx.AsyncClient
) -> None:
    s = scene
    app = await register_app(client)
    await s.act(disable_account)
    me = await client.get("/api/v1/accounts/verify_credentials", headers=s.alice.headers)
    assert (me.status_code, me.json()["error"]) == (403, "Your login is currently disabled")
    grant = await password_token(client, app, "alice", PASSWORD)
    assert grant.status_code == 403
    page = await login(client, "alice")
    assert page.status_code == 403 and "disabled by the moderators" in page.text
    assert s.alice_post in ids(await s.json("/api/v1/timelines/public"))
    assert s.alice_post in ids(await s.json("/api/v1/timelines/home", s.bob))
    await s.act(enable_account)
    me = await client.get("/api/v1/accounts/verify_credentials", headers=s.alice.headers)
    assert me.status_code == 200


async def test_approving_lets_a_sign_up_in_and_rejecting_deletes_it(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    waiting = await factory.user("waiting", approved=False)
    turned_away = await factory.user("turned_away", approved=False)
    me = await client.get("/api/v1/accounts/verify_credentials", headers=waiting.headers)
    assert me.status_code == 403
    await moderate(runtime, approve_account, waiting)
    me = await client.get("/api/v1/accounts/verify_credentials", headers=waiting.headers)
    assert me.status_code == 200  # the token it got at sign-up works now
    with pytest.raises(Unprocessable, match="waiting for approval"):
        await moderate(runtime, reject_account, waiting)  # an approved one is not rejected

    await moderate(runtime, reject_account, turned_away)
    async with runtime.db.read() as session:
        for model, column in ((Account, Account.id), (AccessToken, AccessToken.account_id)):
            left = await session.scalar(
                select(func.count()).select_from(model).where(column == turned_away.account.id)
            )
            assert left == 0
    me = await client.get("/api/v1/accounts/verify_credentials", headers=turned_away.headers)
    assert me.status_code == 401
    # Nothing is kept: the name can be taken again.
    again = await factory.user("turned_away")
    assert again.account.id != turned_away.account.id
