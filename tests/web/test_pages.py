"""Search, notifications, and what every page is made of."""

from __future__ import annotations

import re

import httpx

from roost.core.runtime import Runtime
from tests.factories import Factory
from tests.web.helpers import post_ids, signed_in


async def test_search_finds_people_posts_and_hashtags(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    bob = await factory.user("bob", display_name="Bob Builder")
    await factory.user("alice")
    public = (
        await client.post(
            "/api/v1/statuses", data={"status": "building a #shed today"}, headers=bob.headers
        )
    ).json()
    await client.post(
        "/api/v1/statuses",
        data={"status": "secret shed plans", "visibility": "private"},
        headers=bob.headers,
    )
    await signed_in(client, "alice")

    empty = await client.get("/search")
    assert 'id="search"' in empty.text and 'id="search-accounts"' not in empty.text

    people = await client.get("/search", params={"q": "Bob B"})
    section = re.search(r'<section id="search-accounts".*?</section>', people.text, re.S)
    assert section and 'href="/@bob"' in section.group(0)

    posts = await client.get("/search", params={"q": "shed"})
    statuses = re.search(r'<section id="search-statuses".*?</section>', posts.text, re.S)
    assert statuses and post_ids(statuses.group(0)) == [public["id"]]  # not the private one

    tags = await client.get("/search", params={"q": "#sh"})
    hashtags = re.search(r'<section id="search-hashtags".*?</section>', tags.text, re.S)
    assert hashtags and '<a href="/tags/shed">#shed</a>' in hashtags.group(0)
    tag_page = await client.get("/tags/shed")
    assert post_ids(tag_page.text) == [public["id"]]

    nothing = await client.get("/search", params={"q": "zebra"})
    assert "No people match" in nothing.text and "No posts match" in nothing.text


async def test_notifications_page_lists_every_kind(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    status = (
        await client.post("/api/v1/statuses", data={"status": "hello"}, headers=alice.headers)
    ).json()
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    await client.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.headers)
    await client.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
    mention = (
        await client.post("/api/v1/statuses", data={"status": "hi @alice"}, headers=bob.headers)
    ).json()
    await signed_in(client, "alice")
    page = await client.get("/notifications")
    kinds = re.findall(r'<li class="notification card[^"]*" data-type="(\w+)"', page.text)
    assert kinds == ["mention", "reblog", "favourite", "follow"]
    assert 'id="notifications"' in page.text
    assert mention["id"] in post_ids(page.text)
    assert "favourited your post" in page.text and "boosted your post" in page.text


async def test_pages_use_only_their_own_assets(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("alice")
    page = await client.get("/explore")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") or s.startswith("#") for s in sources), sources
    for asset in re.findall(r'"(/static/[^"?]+)\?v=', page.text):
        response = await client.get(asset)
        assert response.status_code == 200, asset
    script = await client.get("/static/js/timeline.js")
    assert "javascript" in script.headers["content-type"]
    labels = set(re.findall(r'<label for="([^"]+)"', (await client.get("/signup")).text))
    inputs = set(re.findall(r'<input id="([^"]+)"', (await client.get("/signup")).text))
    assert inputs and inputs <= labels  # every field has a visible label


async def test_unknown_api_paths_stay_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}
