"""The moderation screens in a browser: a moderator approves a waiting sign-up, reviews a
report with the posts it names, takes it on, limits the account from it and lifts the
limit, and reads the audit log; a person without a staff role finds no way in. With
screenshots of each screen at phone and desktop sizes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.site import Site, bearer
from tests.browser.test_follow_requests import shot_exists


def admin_report(site: Site, token: str, report_id: str) -> dict[str, Any]:
    response = site.api.get(f"/api/v1/admin/reports/{report_id}", headers=bearer(token))
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def test_a_moderator_works_through_sign_ups_and_reports(
    site: Site, live_sql: Callable[[str], None]
) -> None:
    site.register("ruth", display_name="Ruth Moderator", note="Keeps the place friendly.")
    live_sql("UPDATE accounts SET role = 'moderator' WHERE username = 'ruth'")
    jo = site.register("jo", display_name="Jo Reporter")
    deals = site.register("deals", display_name="Great Deals 24/7", note="Click here!!!")
    site.register("newbie", display_name="New Person")
    live_sql("UPDATE accounts SET approved = false WHERE username = 'newbie'")
    spam = site.post(deals, "Cheap watches, today only! https://deals.example/watches")
    hidden = site.post(deals, "Followers only: even cheaper watches", visibility="private")
    site.follow(jo, "deals")
    report = site.call(
        jo,
        "POST",
        "/api/v1/reports",
        data={
            "account_id": site.account_id("deals"),
            "status_ids[]": [spam["id"], hidden["id"]],
            "comment": "Posts the same advert every hour.",
            "category": "spam",
        },
    )

    # Jo has no staff role: no way in, and a 403 at the door.
    reporter = site.person("jo")
    expect(reporter.locator("#main-nav a.nav-shield")).to_have_count(0)
    refused = reporter.goto("/moderation")
    assert refused is not None and refused.status == 403
    expect(reporter.locator("h1")).to_have_text("Not allowed")

    mod = site.person("ruth")
    nav = mod.locator("#main-nav a.nav-shield")
    expect(nav).to_have_text("Moderation")
    nav.click()
    expect(mod).to_have_url(re.compile(r"/moderation$"))
    expect(mod.locator("#open-reports-link")).to_have_text("1 open report")
    waiting = mod.locator("#pending li.account")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("@newbie")
    site.shoot(mod, "moderation")
    shot_exists("moderation")
    waiting.locator("button.approve").click()
    expect(mod.locator(".notice")).to_have_text("@newbie is approved and can sign in.")
    expect(mod.locator("#pending li.empty")).to_have_text("Nobody is waiting for approval.")
    site.person("newbie")  # and newbie signs in

    # The bell tells of the report; the report shows the posts, followers-only included.
    mod.goto("/notifications")
    told = mod.locator('#notifications .notification[data-type="admin.report"]')
    expect(told).to_contain_text("filed a report")
    told.get_by_role("link", name="Review the report").click()
    expect(mod).to_have_url(re.compile(rf"/moderation/reports/{report['id']}$"))
    expect(mod.locator("#reported-posts .reported-post")).to_have_count(2)
    expect(mod.locator("#reported-posts")).to_contain_text("even cheaper watches")
    expect(mod.locator("#reported-posts")).to_contain_text("Followers only")
    mod.locator("button#assign").click()
    expect(mod.locator("#assigned")).to_have_text("@ruth")
    site.shoot(mod, "moderation-report")
    shot_exists("moderation-report")

    mod.goto("/moderation/reports")
    expect(mod.locator("#reports .report-row")).to_have_count(1)
    expect(mod.locator("#reports")).to_contain_text("assigned to @ruth")
    site.shoot(mod, "moderation-reports")
    shot_exists("moderation-reports")

    # From the report, limit the account with a note: the report is resolved with it.
    mod.locator("#reports a.report-link").click()
    mod.locator("a#moderate-account").click()
    form = mod.locator("form#action-form")
    form.get_by_label("Limit").check()
    form.get_by_label("Note for the audit log").fill("Advert every hour, warned twice.")
    site.shoot(mod, "moderation-account")
    shot_exists("moderation-account")
    form.locator("button[type=submit]").click()
    expect(mod.locator(".notice")).to_have_text("The account is limited.")
    expect(mod.locator("#moderated-account .states")).to_contain_text("Limited")
    ruth_token = site.staff_token("ruth")
    resolved = admin_report(site, ruth_token, report["id"])
    assert resolved["action_taken"] is True
    assert resolved["action_taken_by_account"]["username"] == "ruth"
    assert resolved["target_account"]["silenced"] is True
    mod.locator("#reversals button.reverse-unsilence").click()
    expect(mod.locator(".notice")).to_have_text("The account is no longer limited.")
    assert admin_report(site, ruth_token, report["id"])["target_account"]["silenced"] is False

    mod.goto("/moderation/audit")
    entries = mod.locator("#audit-log .audit-entry .audit-summary")
    expect(entries).to_have_text(
        [
            "@ruth lifted the limit on @deals",
            f"@ruth resolved report {report['id']} on @deals",
            "@ruth limited @deals: Advert every hour, warned twice.",
            f"@ruth took on report {report['id']} on @deals",
            "@ruth approved @newbie",
        ]
    )
    site.shoot(mod, "moderation-audit")
    shot_exists("moderation-audit")


def test_the_moderation_link_on_a_phone(site: Site, live_sql: Callable[[str], None]) -> None:
    """Phones keep five tabs: a moderator's own profile has the way in."""
    site.register("pia", display_name="Pia Admin")
    live_sql("UPDATE accounts SET role = 'admin' WHERE username = 'pia'")
    phone: Page = site.person("pia", size="phone")
    expect(phone.locator("#main-nav a.nav-shield")).to_be_hidden()
    phone.goto("/@pia")
    phone.get_by_role("link", name="Moderation").click()
    expect(phone).to_have_url(re.compile(r"/moderation$"))
    expect(phone.locator("h1")).to_have_text("Moderation")
