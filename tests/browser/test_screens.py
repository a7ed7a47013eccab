"""Screenshots of every screen at phone and desktop sizes, with a realistic cast.

Each test opens one screen, checks that its main parts are there, and saves
docs/screens/<screen>-phone.png and docs/screens/<screen>-desktop.png.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import SCREENS, SIZES, Site


@dataclass
class Cast:
    tokens: dict[str, str]
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    app: dict[str, Any] = field(default_factory=dict)


PEOPLE = {
    "maya": {
        "display_name": "Maya Lindqvist",
        "note": "Urban ecologist in Malmö. Birds, bikes and sourdough. She/her.",
    },
    "theo": {
        "display_name": "Theo Okonkwo",
        "note": "Backend engineer. I break databases so you don't have to.",
    },
    "priya": {
        "display_name": "Priya Raman",
        "note": "Photographer and trail runner. Mountains > beaches. #outdoors",
    },
    "sam_k": {"display_name": "Sam Kowalski", "note": "Reads too much, sleeps too little."},
    "birding_club": {
        "display_name": "Malmö Birding Club",
        "note": "Saturday morning walks for beginners and old hands. Binoculars to lend.",
    },
    "spam_bot": {"display_name": "Totally Real Deals", "note": "Click here!!!"},
}


@pytest.fixture(scope="module")
def cast(site: Site) -> Cast:
    site.use_app("Roost for Android", "https://roost.example/android")
    cast = Cast(tokens={name: site.register(name, **p) for name, p in PEOPLE.items()})
    t = cast.tokens
    for follower, followed in [
        ("maya", "theo"),
        ("maya", "priya"),
        ("maya", "sam_k"),
        ("theo", "maya"),
        ("priya", "maya"),
        ("sam_k", "maya"),
    ]:
        site.follow(t[follower], followed)
    p = cast.posts
    p["reading"] = site.post(
        t["sam_k"],
        "Weekend reading list: https://example.org/essays/the-small-web \u2014 "
        "thoughts welcome! #reading",
    )
    p["cache"] = site.post(
        t["theo"],
        "Shipped the new timeline cache today. Home reads went from 40 to 9,000 "
        "requests a second. Write-up: https://example.com/blog/timelines #engineering",
    )
    p["question"] = site.post(
        t["maya"],
        "@theo that's a huge win! Is SQL still the source of truth?",
        in_reply_to_id=p["cache"]["id"],
    )
    p["answer"] = site.post(
        t["theo"],
        "@maya Yes: Redis is only a cache. Lose it and every timeline rebuilds from SQL.",
        in_reply_to_id=p["question"]["id"],
    )
    p["sunrise"] = site.post(
        t["priya"],
        "Sunrise over the ridge this morning. Worth every minute of the 5am alarm. "
        "#outdoors #photography",
    )
    p["goldcrest"] = site.post(
        t["maya"],
        "Spotted a pair of goldcrests in Pildammsparken, the smallest birds in Europe. #birding",
    )
    p["lens"] = site.post(
        t["priya"],
        "@maya lovely! Which lens do you use for tiny birds? #birding",
        in_reply_to_id=p["goldcrest"]["id"],
    )
    p["walk"] = site.post(
        t["birding_club"],
        "This Saturday: 8am walk along the Limhamn shore. Waders expected! #birding",
    )
    p["bikes"] = site.post(
        t["maya"],
        "Malmö just opened another 12 km of protected bike lanes. Commute is bliss. "
        "https://example.net/news/bike-lanes",
    )
    for who in ("theo", "priya", "sam_k"):
        site.call(t[who], "POST", f"/api/v1/statuses/{p['goldcrest']['id']}/favourite")
    site.call(t["theo"], "POST", f"/api/v1/statuses/{p['bikes']['id']}/reblog")
    site.call(t["maya"], "POST", f"/api/v1/statuses/{p['sunrise']['id']}/favourite")
    site.call(t["maya"], "POST", f"/api/v1/statuses/{p['cache']['id']}/reblog")
    site.call(t["maya"], "POST", f"/api/v1/accounts/{site.account_id('spam_bot')}/block")
    site.call(
        t["maya"],
        "POST",
        f"/api/v1/accounts/{site.account_id('sam_k')}/mute",
        data={"notifications": "false"},
    )
    cast.app = site.app("Tusky", "https://tusky.app")
    site.password_token("maya", app=cast.app)
    site.password_token("maya", app=site.app("Ivory for Mac", "https://tapbots.com/ivory/mac/"))
    return cast


@pytest.fixture
def maya(site: Site, cast: Cast) -> Page:
    return site.person("maya")


def shot_exists(screen: str) -> None:
    for size in SIZES:
        path = SCREENS / f"{screen}-{size}.png"
        assert path.exists() and path.stat().st_size > 5_000, path
        assert path.stat().st_size < 1_500_000, f"{path} is too big"


def test_screen_login(site: Site) -> None:
    page = site.page()
    page.goto("/login")
    expect(page.locator("form#login")).to_be_visible()
    site.shoot(page, "login")
    shot_exists("login")


def test_screen_signup(site: Site) -> None:
    page = site.page()
    page.goto("/signup")
    expect(page.locator("form#signup")).to_be_visible()
    site.shoot(page, "signup")
    shot_exists("signup")


def test_screen_home(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/home")
    expect(maya.locator("form#compose")).to_be_visible()
    expect(maya.locator("#timeline article.post")).not_to_have_count(0)
    expect(maya.locator("#timeline")).to_contain_text("goldcrests")
    site.shoot(maya, "home")
    shot_exists("home")


def test_screen_home_with_new_posts(site: Site, cast: Cast, maya: Page) -> None:
    """New posts waiting behind the "N new posts" button."""
    lines = iter(
        [
            "Heading out to the harbour for the eider ducks. Anyone joining?",
            "Fog lifted, the ridge is glowing. #outdoors",
        ]
    )

    def arrive(page: Page) -> None:
        expect(page.locator("#timeline article.post").first).to_be_visible()
        site.post(cast.tokens["priya"], next(lines))
        expect(page.locator("#new-posts")).to_have_text(re.compile(r"1 new post"), timeout=20_000)

    maya.goto("/home")
    site.shoot(maya, "home-new-posts", prepare=arrive)
    shot_exists("home-new-posts")


def test_screen_thread(site: Site, cast: Cast, maya: Page) -> None:
    question = cast.posts["question"]
    maya.goto(f"/@maya/{question['id']}")
    expect(maya.locator("#thread .ancestors article.post")).to_have_count(1)
    expect(maya.locator("#thread .descendants article.post")).to_have_count(1)
    expect(maya.locator("form#reply")).to_be_visible()
    site.shoot(maya, "thread")
    shot_exists("thread")


def test_screen_profile(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/@theo")
    profile = maya.locator("#profile")
    expect(profile.locator(".display-name")).to_contain_text("Theo Okonkwo")
    expect(profile.locator(".bio")).to_contain_text("I break databases")
    expect(profile.locator("button#follow")).to_have_text("Unfollow")
    site.shoot(maya, "profile")
    shot_exists("profile")


def test_screen_own_profile(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/@maya")
    expect(maya.locator("#profile .display-name")).to_contain_text("Maya Lindqvist")
    expect(maya.locator("#profile button#follow")).to_have_count(0)
    site.shoot(maya, "own-profile")
    shot_exists("own-profile")


def test_screen_notifications(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/notifications")
    for kind in ("mention", "follow", "favourite", "reblog"):
        expect(
            maya.locator(f'#notifications .notification[data-type="{kind}"]').first
        ).to_be_visible()
    site.shoot(maya, "notifications")
    shot_exists("notifications")


def test_screen_search(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/search?q=birding")
    expect(maya.locator("#search-hashtags")).to_contain_text("birding")
    expect(maya.locator("#search-accounts")).to_contain_text("Malmö Birding Club")
    expect(maya.locator("#search-statuses article.post")).not_to_have_count(0)
    site.shoot(maya, "search")
    shot_exists("search")


def test_screen_explore(site: Site, cast: Cast) -> None:
    page = site.page()
    page.goto("/explore")
    expect(page.locator("#timeline")).to_contain_text("Sunrise over the ridge")
    site.shoot(page, "explore")
    shot_exists("explore")


def test_screen_tag(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/tags/birding")
    expect(maya.locator("#timeline article.post")).to_have_count(3)
    site.shoot(maya, "tag")
    shot_exists("tag")


def test_screen_settings(site: Site, cast: Cast, maya: Page) -> None:
    maya.goto("/settings")
    expect(maya.locator("form#profile-form [name=display_name]")).to_have_value("Maya Lindqvist")
    expect(maya.locator("#apps .app", has_text="Tusky")).to_have_count(1)
    expect(maya.locator("#blocks")).to_contain_text("spam_bot")
    expect(maya.locator("#mutes")).to_contain_text("sam_k")
    site.shoot(maya, "settings")
    shot_exists("settings")
    site.shoot(maya, "settings-apps", scroll_to="#apps")
    shot_exists("settings-apps")


def test_screen_authorize(site: Site, cast: Cast) -> None:
    page = site.page()
    address = (
        f"/oauth/authorize?client_id={cast.app['client_id']}&response_type=code"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read"
    )
    page.goto(address)
    expect(page.locator("body")).to_contain_text("Tusky")
    site.shoot(page, "authorize")
    shot_exists("authorize")


def test_screen_authorize_signed_in(site: Site, cast: Cast, maya: Page) -> None:
    """Signed in with the web page: one click, no password."""
    address = (
        f"/oauth/authorize?client_id={cast.app['client_id']}&response_type=code"
        "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read+write+follow"
    )
    maya.goto(address)
    expect(maya.locator("h1")).to_have_text("Authorize Tusky to use your account @maya?")
    expect(maya.locator("form#authorize input[type=password]")).to_have_count(0)
    site.shoot(maya, "authorize-signed-in", path=address)
    shot_exists("authorize-signed-in")


def test_screen_settings_log_out(site: Site, cast: Cast, maya: Page) -> None:
    """On a phone, Log out lives at the end of Settings, not in the tab bar."""
    maya.goto("/settings")
    expect(maya.locator("form#settings-logout button")).to_have_text("Log out")
    site.shoot(maya, "settings-log-out", scroll_to="#settings-logout")
    shot_exists("settings-log-out")


def test_screen_conversations(site: Site, cast: Cast, maya: Page) -> None:
    """Messages: direct conversations, the unread ones marked; one opens as its thread."""
    t = cast.tokens
    plans = site.post(
        t["theo"], "@maya are we still on for the birding walk on Saturday?", visibility="direct"
    )
    site.post(
        t["maya"],
        "@theo yes! I'll bring the spare binoculars.",
        visibility="direct",
        in_reply_to_id=plans["id"],
    )
    site.post(
        t["priya"],
        "@maya @theo surprise party for Sam on Friday, keep it quiet!",
        visibility="direct",
    )
    for _ in range(100):  # conversations update after commit, by a job
        listed = site.call(t["maya"], "GET", "/api/v1/conversations")
        if len(listed) == 2 and not listed[1]["unread"]:
            break
        maya.wait_for_timeout(100)
    maya.goto("/conversations")
    items = maya.locator("#conversations .conversation")
    expect(items).to_have_count(2)
    expect(items.first).to_have_class(re.compile(r"\bunread\b"))
    expect(items.first.locator(".conversation-people")).to_contain_text("Priya Raman")
    expect(items.first.locator(".conversation-people")).to_contain_text("Theo Okonkwo")
    expect(items.nth(1)).to_contain_text("You: @theo yes!")
    expect(maya.locator('#main-nav a[aria-current="page"]')).to_have_attribute(
        "href", "/conversations"
    )
    site.shoot(maya, "conversations")
    shot_exists("conversations")

    items.first.locator("a.conversation-open").click()
    expect(maya.locator("form#reply")).to_be_visible()
    expect(maya.locator("form#reply [name=visibility]")).to_have_value("direct")
    expect(maya.locator("#thread")).to_contain_text("surprise party")
    maya.goto("/conversations")
    expect(maya.locator("#conversations .conversation.unread")).to_have_count(0)


def test_messages_on_a_phone_are_one_tap_from_notifications(site: Site, cast: Cast) -> None:
    phone = site.person("maya", size="phone")
    phone.goto("/notifications")
    expect(phone.locator('#main-nav a[href="/conversations"]')).to_be_hidden()
    phone.locator('main a[href="/conversations"]').click()
    expect(phone.locator("h1")).to_have_text("Messages")
