"""The web page's edit form and history, bookmarks and pins: in place (fetch) and as
plain forms, each as private as the API."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.web.helpers import fetch_headers, post_ids, signed_in
from tests.web.test_actions import _article, _post


async def test_edit_a_post_from_a_prefilled_form_and_read_its_history(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    sid = await _post(client, alice, "Frist & <best>", spoiler_text="spoiler")
    token = await signed_in(client, "alice")

    form = await client.get(f"/statuses/{sid}/edit")
    assert form.status_code == 200
    assert "Frist &amp; &lt;best&gt;</textarea>" in form.text  # the source, escaped
    assert 'value="spoiler"' in form.text

    saved = await client.post(
        f"/statuses/{sid}/edit",
        data={"status": "First & best", "spoiler_text": "", "csrf_token": token},
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/@alice/{sid}"
    thread = (await client.get(f"/@alice/{sid}")).text
    article = _article(thread, sid)
    assert "First &amp; best" in article
    assert f'href="/@alice/{sid}/history"' in article and ">edited</a>" in article

    history = await client.get(f"/@alice/{sid}/history")
    assert history.status_code == 200
    versions = re.findall(r'<li class="card history-version">.*?</li>', history.text, re.S)
    assert len(versions) == 2
    assert "First &amp; best" in versions[0] and "current" in versions[0]
    assert "Frist &amp; &lt;best&gt;" in versions[1] and "original" in versions[1]

    # A blank edit is refused on the form, which keeps what was typed.
    refused = await client.post(
        f"/statuses/{sid}/edit", data={"status": " ", "spoiler_text": "x", "csrf_token": token}
    )
    assert refused.status_code == 422 and "can&#39;t be blank" in refused.text
    # Someone else's post has no edit form, and cannot be edited.
    await client.post("/logout", data={"csrf_token": token})
    token = await signed_in(client, "bob")
    assert (await client.get(f"/statuses/{sid}/edit")).status_code == 404
    response = await client.post(
        f"/statuses/{sid}/edit", data={"status": "mine now", "csrf_token": token}
    )
    assert response.status_code == 404
    assert "edit" not in re.findall(
        r'class="action (\w+)"', _article((await client.get(f"/@alice/{sid}")).text, sid)
    )


async def test_history_of_a_private_post_is_private(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    sid = await _post(client, alice, "followers only", visibility="private")
    assert (await client.get(f"/@alice/{sid}/history")).status_code == 404
    await signed_in(client, "bob")
    assert (await client.get(f"/@alice/{sid}/history")).status_code == 404


async def test_bookmark_in_place_and_the_bookmarks_screen(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    bob = await factory.user("bob")
    await factory.user("alice")
    first, second = await _post(client, bob, "one"), await _post(client, bob, "two")
    token = await signed_in(client, "alice")
    headers = fetch_headers(token)
    assert "No bookmarks yet." in (await client.get("/bookmarks")).text

    response = await client.post(f"/statuses/{first}/bookmark", headers=headers)
    assert response.json()["bookmarked"] is True
    # Without scripts: a plain form, back to where it was sent from.
    plain = await client.post(
        f"/statuses/{second}/bookmark", data={"csrf_token": token, "next": "/explore"}
    )
    assert plain.status_code == 303 and plain.headers["location"] == "/explore"
    page = (await client.get("/bookmarks")).text
    assert post_ids(page) == [second, first]
    assert 'class="action bookmark" aria-pressed="true"' in _article(page, first)

    await client.post(f"/statuses/{second}/unbookmark", headers=headers)
    assert post_ids((await client.get("/bookmarks")).text) == [first]
    # Signed out: the screen asks to log in.
    await client.post("/logout", data={"csrf_token": token})
    response = await client.get("/bookmarks")
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]


async def test_pin_in_place_and_pinned_posts_head_the_profile(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    older, newer = await _post(client, alice, "about me"), await _post(client, alice, "news")
    token = await signed_in(client, "alice")
    response = await client.post(f"/statuses/{older}/pin", headers=fetch_headers(token))
    assert response.json()["pinned"] is True

    profile = (await client.get("/@alice")).text
    pinned = re.search(r'<section id="pinned".*?</section>', profile, re.S)
    assert pinned and post_ids(pinned.group(0)) == [older]
    assert "Pinned</p>" in pinned.group(0)
    assert post_ids(profile) == [older, newer, older]  # pinned, then every post
    assert 'class="action pin" aria-pressed="true"' in _article(profile, older)

    # Visitors see the pin too, without the button.
    await client.post("/logout", data={"csrf_token": token})
    profile = (await client.get("/@alice")).text
    assert 'id="pinned"' in profile and 'class="action pin"' not in profile

    token = await signed_in(client, "alice")
    await client.post(f"/statuses/{older}/unpin", headers=fetch_headers(token))
    assert 'id="pinned"' not in (await client.get("/@alice")).text
