"""Lists and followed hashtags in a browser: made through the screens themselves, with
screenshots of each at phone and desktop size (docs/screens/lists-*.png, ...)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import SCREENS, SIZES, Site, ids

PEOPLE = {
    "lena": {"display_name": "Lena Berg", "note": "Keeps lists of everything."},
    "omar": {"display_name": "Omar Haddad", "note": "Cyclist, baker, amateur astronomer."},
    "june": {"display_name": "June Park", "note": "Writes about small software."},
}


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    made = {name: site.register(name, **profile) for name, profile in PEOPLE.items()}
    site.follow(made["lena"], "omar")
    site.follow(made["lena"], "june")
    return made


def shot_exists(screen: str) -> None:
    for size in SIZES:
        path = SCREENS / f"{screen}-{size}.png"
        assert path.exists() and path.stat().st_size > 5_000, path


def test_make_a_list_add_someone_and_read_it(site: Site, tokens: dict[str, str]) -> None:
    lena: Page = site.person("lena")
    lena.goto("/lists")
    expect(lena.locator("#lists")).to_contain_text("No lists yet.")
    lena.fill("#title", "Night sky")
    lena.select_option("#replies_policy", "none")
    lena.click("#new-list-form button[type=submit]")
    expect(lena).to_have_url(re.compile(r"/lists/\d+/edit$"))
    list_url = lena.url.removesuffix("/edit")
    candidates = lena.locator("#candidates")
    expect(candidates).to_contain_text("Omar Haddad")
    candidates.locator("li", has_text="Omar Haddad").locator("button.member-add").click()
    expect(lena.locator("#members")).to_contain_text("Omar Haddad")
    expect(lena.locator("#candidates")).not_to_contain_text("Omar Haddad")
    site.shoot(lena, "list-edit")
    shot_exists("list-edit")

    said = site.post(tokens["omar"], "Jupiter and Saturn side by side tonight, look south-west.")
    site.post(tokens["june"], "Not in the list: a note about small software.")
    lena.goto(list_url)
    expect(lena.locator("#timeline article.post")).to_have_count(1)
    assert ids(lena) == [said["id"]]
    site.shoot(lena, "list")
    shot_exists("list")

    lena.goto("/lists")
    expect(lena.locator("#lists")).to_contain_text("Night sky")
    site.shoot(lena, "lists")
    shot_exists("lists")


def test_follow_a_hashtag_from_its_page(site: Site, tokens: dict[str, str]) -> None:
    site.post(tokens["june"], "Tiny tools, big joy. #smallweb")
    lena: Page = site.person("lena")
    lena.goto("/tags/smallweb")
    button = lena.locator("button.tag-follow")
    expect(button).to_have_text("Follow #smallweb")
    button.click()
    expect(lena.locator("button.tag-follow")).to_have_text("Unfollow #smallweb")
    lena.goto("/followed-tags")
    expect(lena.locator("#followed-tags")).to_contain_text("#smallweb")
    site.shoot(lena, "followed-tags")
    shot_exists("followed-tags")
