"""Favourite, boost, delete, follow in place (fetch) and as plain forms."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from roost.follows.models import Follow
from roost.runtime import Runtime
from roost.statuses.models import Favourite, Status
from tests.factories import Factory, User
from tests.web.helpers import fetch_headers, post_ids, signed_in


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _post(client: httpx.AsyncClient, user: User, text: str, **fields: str) -> str:
    response = await client.post(
        "/api/v1/statuses", data={"status": text, **fields}, headers=user.headers
    )
    return str(response.json()["id"])


def _article(html: str, status_id: str) -> str:
    found = re.search(
        rf'<article class="post[^"]*" data-status-id="{status_id}".*?</article>', html, re.S
    )
    assert found, f"no post {status_id}"
    return found.group(0)


async def test_favourite_and_boost_in_place(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    sid = await _post(client, bob, "boost me")
    token = await signed_in(client, "alice")
    headers = fetch_headers(token)

    fav = await client.post(f"/statuses/{sid}/favourite", headers=headers)
    assert fav.json() == {
        "id": sid,
        "favourited": True,
        "favourites_count": 1,
        "reblogged": False,
        "reblogs_count": 0,
        "replies_count": 0,
        "bookmarked": False,
        "pinned": False,
    }
    again = await client.post(f"/statuses/{sid}/favourite", headers=headers)
    assert again.json()["favourites_count"] == 1  # idempotent
    boost = await client.post(f"/statuses/{sid}/reblog", headers=headers)
    assert boost.json()["reblogged"] is True and boost.json()["reblogs_count"] == 1
    assert boost.json()["id"] == sid  # the post, not the boost

    page = await client.get(f"/@bob/{sid}")
    article = _article(page.text, sid)
    assert 'class="action favourite" aria-pressed="true"' in article
    assert 'class="action boost" aria-pressed="true"' in article
    assert f'action="/statuses/{sid}/unfavourite"' in article
    assert '<span class="favourite-count">1</span>' in article

    undo = await client.post(f"/statuses/{sid}/unfavourite", headers=headers)
    assert undo.json()["favourited"] is False and undo.json()["favourites_count"] == 0
    unboost = await client.post(f"/statuses/{sid}/unreblog", headers=headers)
    assert unboost.json()["reblogs_count"] == 0
    assert await _count(runtime, Favourite) == 0
    assert await _count(runtime, Status) == 1

    # Without scripts: a form post, then back where the person was.
    plain = await client.post(
        f"/statuses/{sid}/favourite", data={"csrf_token": token, "next": f"/@bob/{sid}"}
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"/@bob/{sid}"
    away = await client.post(
        f"/statuses/{sid}/unfavourite", data={"csrf_token": token, "next": "https://evil.example"}
    )
    assert away.headers["location"] == "/home"


async def test_action_refusals(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    public = await _post(client, bob, "public")
    hidden = await _post(client, bob, "followers only", visibility="private")
    token = await signed_in(client, "alice")
    headers = fetch_headers(token)
    cases = [
        (f"/statuses/{public}/delete", 403),  # not hers
        (f"/statuses/{hidden}/favourite", 404),  # not visible to her
        (f"/statuses/{hidden}/reblog", 404),
        (f"/statuses/{public}/explode", 404),
        ("/statuses/12x/favourite", 404),
        ("/statuses/99999999999999999999/favourite", 404),
        ("/accounts/1/follow", 404),
        (f"/accounts/{bob.id}/befriend", 404),
    ]
    for path, status in cases:
        response = await client.post(path, headers=headers)
        assert response.status_code == status, path
        assert "error" in response.json()
    assert await _count(runtime, Status) == 2
    assert await _count(runtime, Favourite) == 0
    page = await client.post(f"/statuses/{public}/delete", data={"csrf_token": token})
    assert page.status_code == 403 and "<html" in page.text
    # A signed-out person is sent to log in.
    await client.post("/logout", data={"csrf_token": token})
    anon = await client.post(f"/statuses/{public}/favourite", data={"csrf_token": token})
    assert anon.status_code == 303 and anon.headers["location"] == "/login"


async def test_compose_reply_and_delete(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    parent = await _post(client, bob, "a question")
    token = await signed_in(client, "alice")
    headers = fetch_headers(token)

    reply = await client.post(
        "/statuses",
        data={"status": "@bob an answer", "in_reply_to_id": parent, "visibility": "public"},
        headers=headers,
    )
    assert reply.status_code == 200
    reply_id = reply.json()["id"]
    assert post_ids(reply.json()["html"]) == [reply_id]
    assert "Replying to" in reply.json()["html"]
    thread = await client.get(f"/@bob/{parent}")
    assert re.search(
        r'<div class="descendants">\s*<article class="post" data-status-id="' + reply_id,
        thread.text,
    )
    assert '<span class="reply-count">1</span>' in _article(thread.text, parent)

    bad = [
        ({"status": ""}, 422, "can't be blank"),
        ({"status": "x" * 501}, 422, "character limit"),
        ({"status": "x", "visibility": "everyone"}, 422, "Choose who can see"),
        ({"status": "x", "in_reply_to_id": "nope"}, 404, "Record not found"),
    ]
    for data, status, message in bad:
        scripted = await client.post("/statuses", data=data, headers=headers)
        assert scripted.status_code == status, data
        assert message in scripted.json()["error"]
        plain = await client.post("/statuses", data={**data, "csrf_token": token})
        assert plain.status_code == status
        assert 'id="compose"' in plain.text and 'class="form-error"' in plain.text
    assert await _count(runtime, Status) == 2

    keyed = {"status": "only once", "idempotency_key": "k1", "csrf_token": token}
    assert (await client.post("/statuses", data=keyed)).status_code == 303
    assert (await client.post("/statuses", data=keyed)).status_code == 303
    assert await _count(runtime, Status) == 3

    deleted = await client.post(f"/statuses/{reply_id}/delete", headers=headers)
    assert deleted.json() == {"deleted": reply_id}
    gone = await client.get(f"/@alice/{reply_id}")
    assert gone.status_code == 404 and "<html" in gone.text
    plain_delete = await client.post(
        f"/statuses/{parent}/delete", data={"csrf_token": token, "next": f"/@bob/{parent}"}
    )
    assert plain_delete.status_code == 403


async def test_thread_page_addresses(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    root = await _post(client, bob, "root")
    middle = await _post(client, alice, "@bob middle", in_reply_to_id=root)
    leaf = await _post(client, bob, "@alice leaf", in_reply_to_id=middle)
    boost = (await client.post(f"/api/v1/statuses/{root}/reblog", headers=alice.headers)).json()

    page = await client.get(f"/@alice/{middle}")
    html = page.text
    ancestors = html.index('class="ancestors"')
    focused = html.index(f'<article class="post focused" data-status-id="{middle}"')
    descendants = html.index('class="descendants"')
    assert ancestors < html.index(f'data-status-id="{root}"') < focused < descendants
    assert descendants < html.index(f'data-status-id="{leaf}"')
    assert 'id="reply"' not in html  # signed out: no reply box, a way to log in
    assert "to reply" in html

    wrong_name = await client.get(f"/@bob/{middle}")
    assert wrong_name.status_code == 303 and wrong_name.headers["location"] == f"/@alice/{middle}"
    via_boost = await client.get(f"/@alice/{boost['id']}")
    assert via_boost.status_code == 303 and via_boost.headers["location"] == f"/@bob/{root}"
    for missing in ("/@bob/123", "/@bob/abc", "/@nobody"):
        response = await client.get(missing)
        assert response.status_code == 404 and "Not found" in response.text

    await signed_in(client, "alice")
    mine = await client.get(f"/@bob/{leaf}")
    box = re.search(r'<form id="reply".*?</form>', mine.text, re.S)
    assert box and f'name="in_reply_to_id" value="{leaf}"' in box.group(0)
    assert ">@bob </textarea>" in box.group(0)  # the author, without herself


async def test_follow_from_the_profile(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    anon = await client.get("/@bob")
    assert re.search(r'<form class="action-form" method="get" action="/login">', anon.text)
    assert '<button id="follow" type="submit" class="button primary">Follow</button>' in anon.text

    token = await signed_in(client, "alice")
    page = await client.get("/@bob")
    assert f'action="/accounts/{bob.id}/follow"' in page.text
    followed = await client.post(f"/accounts/{bob.id}/follow", headers=fetch_headers(token))
    assert followed.json()["relationship"]["following"] is True
    assert followed.json()["followers_count"] == 1
    page = await client.get("/@bob")
    assert ">Unfollow</button>" in page.text
    assert '<strong class="followers-count">1</strong>' in page.text
    followers = await client.get("/@bob/followers")
    assert 'href="/@alice"' in followers.text and 'id="followers"' in followers.text
    following = await client.get("/@alice/following")
    assert 'href="/@bob"' in following.text

    plain = await client.post(
        f"/accounts/{bob.id}/unfollow", data={"csrf_token": token, "next": "/@bob"}
    )
    assert plain.status_code == 303 and plain.headers["location"] == "/@bob"
    assert await _count(runtime, Follow) == 0
    own = await client.get("/@alice")
    assert 'id="follow"' not in own.text and "Edit profile" in own.text
