"""Locked accounts, follow requests, the bell and private notes, in a browser, with
screenshots of the new screens at phone and desktop sizes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.site import SCREENS, SIZES, Site


def shot_exists(screen: str) -> None:
    for size in SIZES:
        path = SCREENS / f"{screen}-{size}.png"
        assert path.exists() and path.stat().st_size > 5_000, path


def relationship(site: Site, token: str, account_id: str) -> dict[str, object]:
    [found] = site.call(token, "GET", "/api/v1/accounts/relationships", params={"id[]": account_id})
    result: dict[str, object] = found
    return result


def lock_in_settings(page: Page) -> None:
    page.goto("/settings")
    form = page.locator("form#privacy-form")
    form.locator("input#locked").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("privacy settings are saved")
    expect(page.locator("input#locked")).to_be_checked()


def test_a_locked_account_answers_follow_requests(site: Site) -> None:
    lena = site.register("lena", display_name="Lena Berg", note="Knitting and long walks.")
    omar = site.register("omar", display_name="Omar Haddad")
    nils = site.register("nils", display_name="Nils Ek")
    owner = site.person("lena")
    lock_in_settings(owner)
    lena_id = site.account_id("lena")

    asker = site.person("omar")
    asker.goto("/@lena")
    follow = asker.locator("#profile button#follow")
    expect(follow).to_have_text("Follow")
    follow.click()
    expect(follow).to_have_text("Requested")  # in place
    expect(asker.locator("#profile .followers-count")).to_have_text("0")
    expect(asker.locator("#bell-form")).to_be_hidden()
    asker.reload()
    expect(asker.locator("#profile button#follow")).to_have_text("Requested")
    site.shoot(asker, "profile-requested")
    shot_exists("profile-requested")
    site.follow(nils, "lena")  # a second request, through an app

    owner.goto("/notifications")
    asked = owner.locator('#notifications .notification[data-type="follow_request"]')
    expect(asked).to_have_count(2)
    expect(asked.first).to_contain_text("asked to follow you")
    expect(owner.locator("#follow-requests-link")).to_contain_text("2 follow requests")
    site.shoot(owner, "notifications-follow-requests")
    shot_exists("notifications-follow-requests")

    owner.goto("/follow_requests")
    waiting = owner.locator("#follow-requests li.account")
    expect(waiting).to_have_count(2)
    site.shoot(owner, "follow-requests")
    shot_exists("follow-requests")
    omar_id = site.account_id("omar")
    owner.locator(f'li.account[data-account-id="{omar_id}"] button.authorize').click()
    expect(waiting).to_have_count(1)
    owner.locator("#follow-requests button.reject").click()
    expect(owner.locator("#follow-requests li.empty")).to_have_text("No follow requests.")
    assert relationship(site, omar, lena_id)["following"] is True
    assert relationship(site, nils, lena_id)["requested"] is False
    assert relationship(site, lena, omar_id)["followed_by"] is True

    asker.goto("/@lena")
    expect(asker.locator("#profile button#follow")).to_have_text("Unfollow")
    expect(asker.locator("#profile .followers-count")).to_have_text("1")


def test_a_follow_request_is_cancelled_from_the_profile(site: Site) -> None:
    site.register("quinn")
    rosa = site.register("rosa")
    quinn = site.person("quinn")
    lock_in_settings(quinn)
    quinn_id = site.account_id("quinn")
    page = site.person("rosa", size="phone")
    page.goto("/@quinn")
    button = page.locator("#profile button#follow")
    button.click()
    expect(button).to_have_text("Requested")
    button.click()
    expect(button).to_have_text("Follow")
    assert relationship(site, rosa, quinn_id)["requested"] is False
    quinn.goto("/follow_requests")
    expect(quinn.locator("#follow-requests li.empty")).to_be_visible()


def test_the_bell_and_a_private_note(site: Site) -> None:
    pia = site.register("pia", display_name="Pia Lund", note="Ferries, islands, weather.")
    site.register("ulf", display_name="Ulf Sand")
    page = site.person("ulf")
    page.goto("/@pia")
    bell = page.locator("#profile button#bell")
    expect(bell).to_be_hidden()  # no bell before a follow
    page.locator("#profile button#follow").click()
    expect(page.locator("#profile button#follow")).to_have_text("Unfollow")
    expect(bell).to_be_visible()
    expect(bell).to_have_attribute("aria-pressed", "false")
    bell.click()
    expect(bell).to_have_attribute("aria-pressed", "true")

    page.locator(".private-note summary").click()
    page.locator("textarea#note-comment").fill("Met on the Ven ferry; ask about the lighthouse.")
    page.locator("form#note-form button[type=submit]").click()
    expect(page.locator("#toast, .toast").first).to_contain_text("Note saved")
    page.reload()
    expect(page.locator("textarea#note-comment")).to_have_value(
        "Met on the Ven ferry; ask about the lighthouse."
    )
    site.shoot(page, "profile-bell-note")
    shot_exists("profile-bell-note")

    posted = site.post(pia, "Storm warning for the Sound tonight: all ferries cancelled.")
    for _ in range(50):
        page.goto("/notifications")
        told = page.locator('#notifications .notification[data-type="status"]')
        if told.count():
            break
        page.wait_for_timeout(200)
    expect(told).to_have_count(1)
    expect(told).to_contain_text("just posted")
    expect(told.locator(f'article.post[data-status-id="{posted["id"]}"]')).to_be_visible()
    site.shoot(page, "notifications-bell")
    shot_exists("notifications-bell")
