"""The page's timeline fragments: polling with min_id and paging with max_id show
each post of the timeline exactly once."""

from __future__ import annotations

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.web.helpers import JSON_ACCEPT, post_ids, signed_in, timeline_cursors


async def _post(client: httpx.AsyncClient, user: User, text: str, **fields: str) -> str:
    response = await client.post(
        "/api/v1/statuses", data={"status": text, **fields}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def _api_home(client: httpx.AsyncClient, user: User) -> list[str]:
    """The whole home timeline through the API, newest first."""
    ids: list[str] = []
    url = "/api/v1/timelines/home?limit=40"
    while True:
        page = await client.get(url, headers=user.headers)
        ids += [s["id"] for s in page.json()]
        if not page.json():
            return ids
        oldest = page.links["next"]["url"].split("max_id=")[1]
        url = f"/api/v1/timelines/home?limit=40&max_id={oldest}"


async def _newer(client: httpx.AsyncClient, url: str, cursor: str) -> tuple[list[str], str]:
    """Follow ``prev_min`` until nothing is newer, as the page's script does."""
    seen: list[str] = []
    while True:
        response = await client.get(f"{url}?min_id={cursor}", headers=JSON_ACCEPT)
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["count"] == len(post_ids(data["html"]))
        if data["prev_min"] is None:
            assert data["count"] == 0 and data["html"].strip() == ""
            return seen, cursor
        seen = post_ids(data["html"]) + seen  # each batch is newer than the last
        cursor = data["prev_min"]


async def _older(client: httpx.AsyncClient, url: str, cursor: str) -> list[str]:
    seen: list[str] = []
    while cursor:
        response = await client.get(f"{url}?max_id={cursor}", headers=JSON_ACCEPT)
        assert response.status_code == 200, response.text
        data = response.json()
        seen += post_ids(data["html"])
        cursor = data["next_max"] or ""
    return seen


async def test_home_newer_and_older_show_every_post_once(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    await client.post(f"/api/v1/accounts/{bob.id}/follow", headers=alice.headers)
    for number in range(27):
        await _post(client, bob, f"old {number}")
    await runtime.jobs.drain()
    await signed_in(client, "alice")

    page = await client.get("/home")
    first = post_ids(page.text)
    assert len(first) == 20
    newest, oldest = timeline_cursors(page.text)

    # Nothing new yet: the poll answers empty and keeps the cursor.
    assert await _newer(client, "/home/newer", newest) == ([], newest)

    arrived = [await _post(client, bob, f"new {number}") for number in range(23)]
    await _post(client, carol, "not followed")  # never in alice's home
    arrived.append(await _post(client, alice, "mine"))
    await runtime.jobs.drain()

    new, newest_after = await _newer(client, "/home/newer", newest)
    assert new == list(reversed(arrived))  # 24 posts over two pages, newest first
    assert await _newer(client, "/home/newer", newest_after) == ([], newest_after)

    old = await _older(client, "/home/older", oldest)
    assert len(old) == 7
    seen = new + first + old
    assert len(seen) == len(set(seen))  # no repeats
    assert seen == await _api_home(client, alice)  # no gaps, in order


async def test_home_pages_back_without_scripts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    alice_token = await signed_in(client, "alice")
    for number in range(25):
        await client.post("/statuses", data={"status": f"post {number}", "csrf_token": alice_token})
    await runtime.jobs.drain()
    page = await client.get("/home")
    _, oldest = timeline_cursors(page.text)
    older = await client.get(f"/home?max_id={oldest}")
    first, second = post_ids(page.text), post_ids(older.text)
    assert len(first) == 20 and len(second) == 5
    assert not set(first) & set(second)
    assert 'id="load-more"' in older.text and timeline_cursors(older.text)[1] != ""


async def test_fragment_bad_input(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("alice")
    await signed_in(client, "alice")
    for url, status in [
        ("/home/newer", 400),
        ("/home/older", 400),
        ("/home/newer?min_id=abc", 422),
        ("/home/older?max_id=-", 422),
        ("/explore/newer", 400),
        ("/tags/x/older", 400),
        ("/@alice/older", 400),
        ("/@nobody/older?max_id=1", 404),
    ]:
        response = await client.get(url, headers=JSON_ACCEPT)
        assert response.status_code == status, url
        assert "error" in response.json()
    page = await client.get("/home?max_id=oops")
    assert page.status_code == 422 and "<html" in page.text


async def test_explore_and_tags_page_by_status_and_respect_privacy(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    bob = await factory.user("bob")
    public = [await _post(client, bob, f"hello #roost {n}") for n in range(3)]
    explore = await client.get("/explore")  # readable when signed out
    assert post_ids(explore.text) == list(reversed(public))
    newest, _ = timeline_cursors(explore.text)

    later = await _post(client, bob, "later #roost")
    await _post(client, bob, "for followers #roost", visibility="private")
    await _post(client, bob, "quiet #roost", visibility="unlisted")
    new, _ = await _newer(client, "/explore/newer", newest)
    assert new == [later]

    tag = await client.get("/tags/Roost")
    ids = post_ids(tag.text)
    assert ids[0] == later and set(public) < set(ids) and len(ids) == 4
    tag_newest, tag_oldest = timeline_cursors(tag.text)
    assert await _newer(client, "/tags/roost/newer", tag_newest) == ([], tag_newest)
    assert await _older(client, "/tags/roost/older", tag_oldest) == []

    profile = await client.get("/@bob")
    assert later in post_ids(profile.text)
    assert len(post_ids(profile.text)) == 5  # not the followers-only post
