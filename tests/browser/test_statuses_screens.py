"""Edit a post, read its history, bookmark, pin: clicked in a browser, and
screenshots of the edit form, the history, the bookmarks screen and a profile with a
pinned post at phone and desktop sizes (docs/screens/)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import SCREENS, SIZES, Site


@pytest.fixture(scope="module")
def posts(site: Site) -> dict[str, Any]:
    nora = site.register("nora", display_name="Nora Eriksen", note="Cyclist. Baker. Notes.")
    olle = site.register("olle", display_name="Olle Berg", note="Maps and trains.")
    site.follow(nora, "olle")
    site.follow(olle, "nora")
    found = {
        "intro": site.post(nora, "Hi, I'm Nora: I bake bread and ride bikes. #introductions"),
        "bread": site.post(nora, "Rye sourdough, day two: the starter is alive! #baking"),
        "trains": site.post(olle, "The night train to Berlin is back from next month."),
    }
    return {"tokens": {"nora": nora, "olle": olle}, **found}


def shot_exists(screen: str) -> None:
    for size in SIZES:
        path = SCREENS / f"{screen}-{size}.png"
        assert path.exists() and path.stat().st_size > 5_000, path


def article(page: Page, status_id: str) -> Any:
    return page.locator(f'#timeline article.post[data-target-id="{status_id}"]').first


def test_edit_a_post_and_read_its_history(site: Site, posts: dict[str, Any]) -> None:
    nora = site.person("nora")
    bread = posts["bread"]["id"]
    nora.goto("/@nora")
    article(nora, bread).locator("a.action.edit").click()
    expect(nora.locator("#edit-text")).to_have_value(
        "Rye sourdough, day two: the starter is alive! #baking"
    )
    site.shoot(nora, "edit-post")
    shot_exists("edit-post")
    nora.fill("#edit-text", "Rye sourdough, day three: first loaf out of the oven! #baking")
    nora.click("#edit-form button[type=submit]")
    expect(nora.locator("article.post.focused .post-content")).to_contain_text("day three")
    nora.locator("article.post.focused a.edited").click()
    expect(nora.locator("#history .history-version")).to_have_count(2)
    expect(nora.locator("#history .history-version").first).to_contain_text("day three")
    expect(nora.locator("#history .history-version").last).to_contain_text("day two")
    site.shoot(nora, "edit-history")
    shot_exists("edit-history")


def test_bookmark_in_place_and_the_bookmarks_screen(site: Site, posts: dict[str, Any]) -> None:
    olle = site.person("olle")
    olle.goto("/home")
    for key in ("intro", "bread"):
        button = article(olle, posts[key]["id"]).locator("button.bookmark")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
    olle.goto("/bookmarks")
    expect(olle.locator("#timeline article.post")).to_have_count(2)
    site.shoot(olle, "bookmarks")
    shot_exists("bookmarks")
    button = article(olle, posts["intro"]["id"]).locator("button.bookmark")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    olle.reload()
    expect(olle.locator("#timeline article.post")).to_have_count(1)


def test_pin_puts_a_post_at_the_top_of_the_profile(site: Site, posts: dict[str, Any]) -> None:
    nora = site.person("nora")
    nora.goto("/@nora")
    intro = posts["intro"]["id"]
    button = article(nora, intro).locator("button.pin")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    nora.reload()
    pinned = nora.locator("#pinned article.post")
    expect(pinned).to_have_count(1)
    expect(pinned.first).to_contain_text("I bake bread")
    # The author's own posts carry bookmark, pin, edit and delete.
    for action in ("button.bookmark", "button.pin", "a.edit", "button.delete"):
        expect(pinned.first.locator(f".action{action[action.index('.') :]}")).to_be_visible()
    site.shoot(nora, "own-profile-pinned")
    shot_exists("own-profile-pinned")
    # What a visitor sees: the pinned post heads the profile.
    visitor = site.page()
    visitor.goto("/@nora")
    expect(visitor.locator("#pinned .pinned-label")).to_be_visible()
    site.shoot(visitor, "profile-pinned")
    shot_exists("profile-pinned")
