"""Filters in a real browser: made on the settings page, then a warned post waits behind
its notice until "Show anyway", and a hidden one never shows. Screenshots at phone and
desktop sizes: docs/screens/settings-filters-*.png and home-filtered-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import Site
from tests.browser.test_screens import shot_exists


@pytest.fixture(scope="module")
def posts(site: Site) -> dict[str, str]:
    nora = site.register("nora", display_name="Nora Haddad", note="Football and films.")
    ivan = site.register("ivan", display_name="Ivan Petrov", note="Films, mostly.")
    site.follow(nora, "ivan")
    return {
        "plain": site.post(ivan, "Saw a lovely old film at the cinema tonight.")["id"],
        "ending": site.post(ivan, "That ending! The butler did it, of course.")["id"],
        "match": site.post(ivan, "Derby day: the football was awful again.")["id"],
    }


def test_a_filter_made_in_settings_warns_and_hides_on_home(
    site: Site, posts: dict[str, str]
) -> None:
    page: Page = site.person("nora")
    page.goto("/settings")
    page.locator(".filter-new > summary").click()
    form = page.locator("form#filter-form-new")
    form.locator("[name=title]").fill("Film spoilers")
    form.locator("[name=keywords]").fill("ending\nbutler")
    for context in ("notifications", "public", "thread", "account"):
        form.locator(f"input[name='context[]'][value={context}]").uncheck()
    form.locator("button[type=submit]").click()
    expect(page.locator("#filters .notice")).to_have_text("The filter is added.")
    expect(page.locator("#filter-list .filter-title")).to_have_text(["Film spoilers"])

    page.locator(".filter-new > summary").click()
    form = page.locator("form#filter-form-new")
    form.locator("[name=title]").fill("Football")
    form.locator("[name=keywords]").fill("football")
    form.locator("input[name=filter_action][value=hide]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#filter-list .filter-title")).to_have_text(["Film spoilers", "Football"])
    page.locator("#filter-list .filter-details > summary").first.click()
    site.shoot(
        page,
        "settings-filters",
        scroll_to="#filters",
        prepare=lambda shot: shot.locator("#filter-list .filter-details").first.evaluate(
            "node => node.open = true"
        ),
    )
    shot_exists("settings-filters")

    page.goto("/home")
    timeline = page.locator("#timeline")
    expect(timeline.locator("article.post")).to_have_count(2)
    expect(timeline).not_to_contain_text("Derby day")  # hidden
    warned = timeline.locator(f"article[data-status-id='{posts['ending']}']")
    expect(warned.locator(".filtered-title")).to_have_text("Filtered: Film spoilers")
    expect(warned.locator(".post-content")).to_be_hidden()
    expect(
        timeline.locator(f"article[data-status-id='{posts['plain']}'] .post-content")
    ).to_be_visible()
    site.shoot(page, "home-filtered", scroll_to="#timeline")
    shot_exists("home-filtered")
    warned.locator(".show-anyway").click()
    expect(warned.locator(".post-content")).to_be_visible()
    expect(warned.locator(".post-content")).to_contain_text("The butler did it")
