"""Polls and scheduled posts in a real browser: write a poll in the compose box, vote
in it as someone else, schedule a post and cancel it; screenshots of each screen at
phone and desktop sizes (docs/screens/poll-*.png, scheduled-*.png)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import Site
from tests.browser.test_screens import shot_exists

PEOPLE = {
    "maya": {"display_name": "Maya Lindqvist", "note": "Urban ecologist in Malmö."},
    "theo": {"display_name": "Theo Okonkwo", "note": "Backend engineer."},
    "priya": {"display_name": "Priya Raman", "note": "Photographer and trail runner."},
}


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    made = {name: site.register(name, **profile) for name, profile in PEOPLE.items()}
    for follower, followed in [("theo", "maya"), ("priya", "maya"), ("maya", "theo")]:
        site.follow(made[follower], followed)
    return made


def test_write_a_poll_and_vote_in_it(site: Site, tokens: dict[str, str]) -> None:
    maya = site.person("maya")
    maya.goto("/home")
    compose = maya.locator("form#compose")
    compose.locator("textarea[name=status]").fill(
        "Which bird should the club look for on Saturday?"
    )
    compose.locator("details.compose-poll summary").click()
    options = compose.locator("input[name='poll_options[]']")
    expect(options).to_have_count(4)
    for n, title in enumerate(["Eider ducks", "Goldcrests", "Avocets"]):
        options.nth(n).fill(title)
    compose.locator("select[name=poll_expires_in]").select_option("86400")

    def open_poll(page: Page) -> None:
        box = page.locator("form#compose")
        box.locator("textarea[name=status]").fill("Which bird should we look for on Saturday?")
        box.locator("details.compose-poll summary").click()
        for n, title in enumerate(["Eider ducks", "Goldcrests", "Avocets"]):
            box.locator("input[name='poll_options[]']").nth(n).fill(title)

    site.shoot(maya, "compose-poll", path="/home", prepare=open_poll)
    shot_exists("compose-poll")

    compose.locator("button[type=submit]").click()
    posted = maya.locator("#timeline article.post").first
    expect(posted).to_contain_text("Which bird should the club look for")
    expect(posted.locator(".poll-results li")).to_have_count(3)  # the author sees results
    expect(posted.locator(".poll-meta")).to_contain_text("0 people")
    expect(compose.locator("input[name='poll_options[]']").first).to_have_value("")

    theo = site.person("theo")
    theo.goto("/home")
    post = theo.locator("#timeline article.post", has_text="Which bird").first
    expect(post.locator(".poll-vote input[type=radio]")).to_have_count(3)
    site.shoot(theo, "poll-vote", path="/home", scroll_to=".poll")
    shot_exists("poll-vote")
    post.locator("label.poll-choice", has_text="Goldcrests").click()
    post.locator(".poll-vote button[type=submit]").click()
    theo.wait_for_load_state("load")
    voted = theo.locator("#timeline article.post", has_text="Which bird").first
    expect(voted.locator(".poll-result.chosen")).to_contain_text("Goldcrests")
    expect(voted.locator(".poll-result.chosen .poll-share")).to_have_text("100%")
    expect(voted.locator(".poll-meta")).to_contain_text("1 person")

    priya = site.person("priya")
    priya.goto("/home")
    mine = priya.locator("#timeline article.post", has_text="Which bird").first
    mine.locator("label.poll-choice", has_text="Avocets").click()
    mine.locator(".poll-vote button[type=submit]").click()
    priya.wait_for_load_state("load")
    site.shoot(priya, "poll-results", path="/home", scroll_to=".poll")
    shot_exists("poll-results")
    expect(
        priya.locator("#timeline article.post", has_text="Which bird").first.locator(
            ".poll-result.chosen .poll-share"
        )
    ).to_have_text("50%")


def test_schedule_a_post_and_cancel_it(site: Site, tokens: dict[str, str]) -> None:
    maya = site.person("maya")
    maya.goto("/home")
    compose = maya.locator("form#compose")
    compose.locator("textarea[name=status]").fill("Reminder: the Limhamn walk starts at 8am!")
    compose.locator("details.compose-schedule summary").click()
    when = (datetime.now(UTC) + timedelta(days=1)).replace(hour=7, minute=30)
    compose.locator("input[name=scheduled_at]").fill(when.strftime("%Y-%m-%dT%H:%M"))
    compose.locator("button[type=submit]").click()
    expect(maya.locator("#toast")).to_contain_text("scheduled")
    expect(maya.locator("#timeline")).not_to_contain_text("Reminder: the Limhamn walk")

    maya.goto("/scheduled")
    item = maya.locator("#scheduled li.scheduled")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Reminder: the Limhamn walk")
    expect(item.locator("time")).to_have_attribute("datetime", when.strftime("%Y-%m-%dT%H:%M:00Z"))
    site.shoot(maya, "scheduled")
    shot_exists("scheduled")
    item.locator("button", has_text="Cancel").click()
    maya.wait_for_url(re.compile(r"/scheduled$"))
    expect(maya.locator("#scheduled")).to_contain_text("Nothing scheduled")
