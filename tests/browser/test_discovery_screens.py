"""Discovery in the browser: trends and who to follow on explore, featuring a hashtag
in settings and finding it on the profile, and a default visibility the composer uses.
Screenshots: explore-trends, profile-featured-tags, settings-preferences."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.site import SCREENS, SIZES, Site

PEOPLE = {
    "ana": {"display_name": "Ana Ferreira", "note": "Allotment #gardening and slow cooking."},
    "ben": {"display_name": "Ben Adeyemi", "note": "Composting evangelist."},
    "cleo": {"display_name": "Cleo Martin", "note": "Seed swaps every spring."},
    "dev": {"display_name": "Dev Patel", "note": "New here. Say hi!"},
}


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    t = {name: site.register(name, **profile) for name, profile in PEOPLE.items()}
    site.follow(t["ana"], "ben")
    site.follow(t["ben"], "cleo")
    site.follow(t["dev"], "cleo")
    tomatoes = site.post(t["ana"], "First ripe tomatoes of the year! #gardening")
    site.post(t["ben"], "Turned the compost heap: steaming nicely. #compost #gardening")
    seeds = site.post(t["cleo"], "Seed swap on Saturday at the library, bring spares. #gardening")
    site.post(t["cleo"], "Leaf mould is free soil improver. #compost")
    for fan in ("ben", "dev", "ana"):
        site.call(t[fan], "POST", f"/api/v1/statuses/{seeds['id']}/favourite")
    site.call(t["dev"], "POST", f"/api/v1/statuses/{tomatoes['id']}/reblog")
    return t


def shot_exists(screen: str) -> None:
    for size in SIZES:
        assert (SCREENS / f"{screen}-{size}.png").stat().st_size > 10_000


def test_explore_trends_and_who_to_follow(site: Site, tokens: dict[str, str]) -> None:
    ana = site.person("ana")
    ana.goto("/explore")
    tags = ana.locator("#trending-tags li")
    expect(tags.first).to_contain_text("#gardening")
    expect(tags.nth(1)).to_contain_text("#compost")
    posts = ana.locator("#trending-posts article.post")
    expect(posts.first).to_contain_text("Seed swap on Saturday")
    people = ana.locator("#who-to-follow li.account")
    expect(people.first).to_contain_text("@cleo")  # followed by someone Ana follows
    expect(ana.locator("#who-to-follow")).not_to_contain_text("@ben")  # already followed
    site.shoot(ana, "explore-trends")
    shot_exists("explore-trends")

    follow = people.first.locator("button.follow-toggle")
    follow.click()
    expect(follow).to_have_text("Unfollow")
    ana.goto("/explore")
    expect(ana.locator("#who-to-follow")).not_to_contain_text("@cleo")

    ana.locator("#trending-tags a", has_text="#compost").click()
    expect(ana).to_have_url(f"{site.base_url}/tags/compost")
    expect(ana.locator("#timeline article.post")).to_have_count(2)


def test_featured_hashtag_from_settings_to_profile(site: Site, tokens: dict[str, str]) -> None:
    ana = site.person("ana")
    ana.goto("/settings")
    expect(ana.locator("#tags-heading + p + ul, #featured-tags")).to_contain_text(
        "No featured hashtags yet."
    )
    ana.fill("#feature_name", "gardening")
    ana.locator("#feature-tag-form button").click()
    expect(ana.locator("#featured-tags")).to_contain_text("#gardening")
    expect(ana.locator("#featured-tags")).to_contain_text("1 post")

    visitor = site.page()
    visitor.goto("/@ana")
    chip = visitor.locator("a.featured-tag")
    expect(chip).to_have_text("#gardening 1")
    site.shoot(visitor, "profile-featured-tags")
    shot_exists("profile-featured-tags")
    chip.click()
    expect(visitor).to_have_url(f"{site.base_url}/@ana/tagged/gardening")
    expect(visitor.locator("#timeline article.post")).to_have_count(1)
    expect(visitor.locator("#timeline")).to_contain_text("First ripe tomatoes")


def test_default_visibility_reaches_the_composer(site: Site, tokens: dict[str, str]) -> None:
    dev = site.person("dev")
    dev.goto("/settings")
    dev.select_option("#default_privacy", "private")
    dev.check("#expand_spoilers")
    dev.locator("#preferences-form button").click()
    expect(dev.locator(".notice")).to_have_text("Your preferences are saved.")
    site.shoot(dev, "settings-preferences", scroll_to="#preferences-heading")
    shot_exists("settings-preferences")
    dev.goto("/home")
    expect(dev.locator("#compose-visibility")).to_have_value("private")
    preferences = site.call(tokens["dev"], "GET", "/api/v1/preferences")
    assert preferences["posting:default:visibility"] == "private"
    assert preferences["reading:expand:spoilers"] is True
