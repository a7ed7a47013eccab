"""Search, notifications, and what every page is made of."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
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


def _current(html: str) -> list[str]:
    """The navigation items marked as the current page."""
    return re.findall(r'class="nav-link nav-(\w+)"[^>]*aria-current="page"', html)


async def test_the_navigation_highlights_the_section_of_the_page(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    mine = (
        await client.post("/api/v1/statuses", data={"status": "hi"}, headers=alice.headers)
    ).json()
    assert _current((await client.get("/")).text) == ["explore"]  # signed out, / is explore
    assert _current((await client.get("/login")).text) == ["login"]
    await signed_in(client, "alice")
    expected = {
        "/": ["home"],
        "/home": ["home"],
        "/explore": ["explore"],
        "/tags/roost": ["explore"],
        "/notifications": ["bell"],
        "/conversations": ["mail"],
        "/search?q=x": ["search"],
        "/settings": ["settings"],
        "/lists": ["list"],
        "/followed-tags": ["list"],
        "/@alice": ["user"],
        "/@alice/followers": ["user"],
        f"/@alice/{mine['id']}": [],  # one's own post is not the profile page
        "/@bob": [],
    }
    for path, current in expected.items():
        assert _current((await client.get(path)).text) == current, path


async def test_the_navigation_is_labelled_and_log_out_is_off_the_phone_bar(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    await signed_in(client, "alice")
    page = (await client.get("/home")).text
    nav = re.search(r'<nav id="main-nav".*?</nav>', page, re.S)
    assert nav
    # Each is named by its visible label (no aria-label that could differ from it).
    links = re.findall(r'<(a|button)[^>]*class="nav-link[^"]*"[^>]*>(.*?)</\1>', nav.group(0))
    labels = [re.search(r'<span class="label">([^<]+)</span>', inner) for _, inner in links]
    assert [m.group(1) if m else None for m in labels] == [
        "Home",
        "Explore",
        "Notifications",
        "Messages",
        "Search",
        "Lists",
        "Profile",
        "Bookmarks",
        "Settings",
        "Log out",
    ]
    # On phones the bar shows five; Messages, Lists, Bookmarks, Settings and Log out are for
    # wider screens (see roost.css): Notifications links to Messages, Home to Lists, the own
    # profile to Bookmarks and Settings, and Settings has its own Log out.
    wide = re.findall(
        r'<li class="nav-item-wide">\s*(?:<a|<form)[^>]*?(?:href|action)="(/\w+)"', nav.group(0)
    )
    assert wide == ["/conversations", "/lists", "/bookmarks", "/settings", "/logout"]
    notifications = (await client.get("/notifications")).text
    assert 'href="/conversations"' in notifications.split("<main", 1)[1]
    assert '<a href="/lists">Lists</a>' in page
    settings = (await client.get("/settings")).text
    assert re.search(r'<form id="settings-logout" method="post" action="/logout">', settings)
    profile = (await client.get("/@alice")).text
    assert 'href="/settings" aria-label="Settings"' in profile
    assert 'href="/bookmarks" aria-label="Bookmarks"' in profile


async def test_counts_are_singular_or_plural_and_joined_is_a_month(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    await client.post("/api/v1/statuses", data={"status": "one"}, headers=alice.headers)
    page = (await client.get("/@alice")).text
    labels = re.findall(r'<strong class="(\w+)-count">(\d+)</strong> <span[^>]*>(\w+)</span>', page)
    assert labels == [
        ("statuses", "1", "Post"),
        ("following", "0", "Following"),
        ("followers", "1", "Follower"),
    ]
    bob_page = (await client.get("/@bob")).text
    labels = re.findall(
        r'<strong class="(\w+)-count">(\d+)</strong> <span[^>]*>(\w+)</span>', bob_page
    )
    assert labels == [
        ("statuses", "0", "Posts"),
        ("following", "1", "Following"),
        ("followers", "0", "Followers"),
    ]
    joined = re.search(r'Joined <time datetime="[^"]+">([^<]+)</time>', page)
    assert joined and re.fullmatch(
        r"(January|February|March|April|May|June|July|August|"
        r"September|October|November|December) \d{4}",
        joined.group(1),
    )
    followers = (await client.get("/@alice/followers")).text
    assert "0 followers · 0 posts" in followers  # bob, in the list


async def test_signed_out_pages_offer_sign_up_once(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    for path in ("/login", "/signup", "/explore", "/"):
        assert 'class="about-actions"' not in (await client.get(path)).text, path
    for path in ("/@alice", "/search", "/tags/roost"):
        assert 'class="about-actions"' in (await client.get(path)).text, path
