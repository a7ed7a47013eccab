"""The lists screens and followed hashtags on the web page, driven as a browser would."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.timelines.helpers import follow, post, post_in_order
from tests.web.helpers import JSON_ACCEPT, post_ids, signed_in, timeline_cursors


def list_ids(html: str) -> list[str]:
    return re.findall(r'data-list-id="(\d+)"', html)


async def test_create_fill_read_rename_and_delete_a_list(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob, cy = [await factory.user(name) for name in ("ada", "bob", "cy")]
    await follow(runtime, ada, bob, cy)
    token = await signed_in(client, "ada")
    empty = await client.get("/lists")
    assert empty.status_code == 200
    assert "No lists yet." in empty.text

    made = await client.post(
        "/lists",
        data={"title": "Close <friends>", "replies_policy": "none", "csrf_token": token},
    )
    assert made.status_code == 303
    edit_url = made.headers["location"]
    list_id = edit_url.split("/")[2]
    edit = await client.get(edit_url)
    assert "Close &lt;friends&gt;" in edit.text  # escaped
    assert 'value="none" selected' in edit.text
    # Both people ada follows can be added; nobody is in the list yet.
    assert f"/lists/{list_id}/members/{bob.id}/add" in edit.text
    assert f"/lists/{list_id}/members/{cy.id}/add" in edit.text

    added = await client.post(f"/lists/{list_id}/members/{bob.id}/add", data={"csrf_token": token})
    assert added.status_code == 303
    edit = await client.get(edit_url)
    assert f"/lists/{list_id}/members/{bob.id}/remove" in edit.text
    assert f"/lists/{list_id}/members/{bob.id}/add" not in edit.text

    said = await post(client, bob, "in the list")
    await post(client, cy, "not in it")
    await runtime.jobs.drain()
    page = await client.get(f"/lists/{list_id}")
    assert page.status_code == 200
    assert post_ids(page.text) == [said]

    renamed = await client.post(
        f"/lists/{list_id}",
        data={"title": "Pals", "replies_policy": "list", "exclusive": "on", "csrf_token": token},
    )
    assert renamed.status_code == 303
    shown = (await client.get("/api/v1/lists", headers=ada.headers)).json()
    assert shown == [{"id": list_id, "title": "Pals", "replies_policy": "list", "exclusive": True}]
    await runtime.jobs.drain()  # the posts leave home by a job, as after an unfollow
    home = await client.get("/home")
    assert said not in post_ids(home.text)  # exclusive: bob's posts left home

    removed = await client.post(
        f"/lists/{list_id}/members/{bob.id}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    deleted = await client.post(f"/lists/{list_id}/delete", data={"csrf_token": token})
    assert deleted.headers["location"] == "/lists"
    assert list_ids((await client.get("/lists")).text) == []
    assert (await client.get(f"/lists/{list_id}")).status_code == 404


async def test_lists_are_private_and_need_csrf(client: httpx.AsyncClient, factory: Factory) -> None:
    ada, bob = await factory.user("ada"), await factory.user("bob")
    made = await client.post("/api/v1/lists", json={"title": "mine"}, headers=ada.headers)
    list_id = made.json()["id"]
    token = await signed_in(client, "bob")
    assert (await client.get(f"/lists/{list_id}")).status_code == 404
    assert (await client.get(f"/lists/{list_id}/edit")).status_code == 404
    refused = await client.post(f"/lists/{list_id}/delete", data={"csrf_token": "wrong"})
    assert refused.status_code == 403
    other = await client.post(f"/lists/{list_id}/delete", data={"csrf_token": token})
    assert other.status_code == 404
    blank = await client.post("/lists", data={"title": "", "csrf_token": token})
    assert blank.status_code == 422
    assert "Title can" in blank.text
    assert (await client.get("/api/v1/lists", headers=bob.headers)).json() == []


async def test_follow_a_hashtag_from_its_page(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("ada")
    cy = await factory.user("cy")
    token = await signed_in(client, "ada")
    tag_page = await client.get("/tags/cats")
    assert "Follow #cats" in tag_page.text
    followed = await client.post(
        "/tags/cats/follow", data={"csrf_token": token, "next": "/tags/cats"}
    )
    assert followed.status_code == 303
    assert followed.headers["location"] == "/tags/cats"
    assert "Unfollow #cats" in (await client.get("/tags/cats")).text
    listing = await client.get("/followed-tags")
    assert "#cats" in listing.text

    said = await post(client, cy, "hello #cats")
    await runtime.jobs.drain()
    assert said in post_ids((await client.get("/home")).text)

    unfollowed = await client.post(
        "/tags/cats/unfollow", data={"csrf_token": token, "next": "/followed-tags"}
    )
    assert unfollowed.headers["location"] == "/followed-tags"
    assert "You follow no hashtags" in (await client.get("/followed-tags")).text
    assert "Follow #cats" in (await client.get("/tags/cats")).text


async def test_signed_out_visitors_see_no_follow_button_and_no_lists(
    client: httpx.AsyncClient,
) -> None:
    assert "Follow #cats" not in (await client.get("/tags/cats")).text
    lists = await client.get("/lists")
    assert lists.status_code in (303, 307)


async def test_a_list_page_polls_newer_and_pages_older(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    ada, bob = await factory.user("ada"), await factory.user("bob")
    await follow(runtime, ada, bob)
    made = await client.post("/api/v1/lists", json={"title": "Bob"}, headers=ada.headers)
    list_id = made.json()["id"]
    await client.post(
        f"/api/v1/lists/{list_id}/accounts", json={"account_ids": [bob.id]}, headers=ada.headers
    )
    old = await post_in_order(client, runtime, bob, 22)  # deliveries in posting order
    await signed_in(client, "ada")
    page = await client.get(f"/lists/{list_id}")
    first = post_ids(page.text)
    assert first == list(reversed(old))[:20]
    newest, oldest = timeline_cursors(page.text)

    new = await post(client, bob, "new")
    await runtime.jobs.drain()
    newer = await client.get(f"/lists/{list_id}/newer?min_id={newest}", headers=JSON_ACCEPT)
    assert post_ids(newer.json()["html"]) == [new]
    older = await client.get(f"/lists/{list_id}/older?max_id={oldest}", headers=JSON_ACCEPT)
    assert post_ids(older.json()["html"]) == list(reversed(old))[20:]
