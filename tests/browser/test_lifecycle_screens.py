"""The account's life in a real browser: export follows from one account, import the
file into a fresh one through the settings screens, then delete that account."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.site import PASSWORD, Site


def test_export_import_and_delete_through_the_settings_screens(site: Site, tmp_path: Path) -> None:
    tokens = {name: site.register(name) for name in ("lc_maya", "lc_theo", "lc_priya")}
    site.follow(tokens["lc_maya"], "lc_theo")
    site.follow(tokens["lc_maya"], "lc_priya")

    maya = site.person("lc_maya")
    maya.goto("/settings")
    maya.locator("#export-link").click()
    expect(maya.locator("h1")).to_have_text("Export your data")
    with maya.expect_download() as got:
        maya.locator("#export-following").click()
    saved = tmp_path / got.value.suggested_filename
    got.value.save_as(saved)
    assert saved.name == "following_accounts.csv"
    exported = saved.read_text()
    assert exported.startswith("Account address,Show boosts,Notify on new posts,Languages\n")
    assert "lc_theo@127.0.0.1:" in exported and "lc_priya@127.0.0.1:" in exported

    fresh = site.page()
    site.signup(fresh, "lc_fresh")
    fresh.goto("/settings")
    fresh.locator("#import-link").click()
    form = fresh.locator("form#import-form")
    form.locator("[name=type]").select_option("following")
    form.locator("#import-merge").check()
    form.locator("[name=data]").set_input_files(saved)
    form.locator("button[type=submit]").click()
    expect(fresh.locator(".notice")).to_contain_text("being imported")
    for _ in range(50):  # the job runs in the background: reload until it is done
        if fresh.locator("li.import[data-state=finished]").count():
            break
        fresh.wait_for_timeout(100)
        fresh.reload()
    expect(fresh.locator("li.import .import-result").first).to_have_text("2 of 2 rows imported.")
    fresh.goto("/@lc_fresh/following")
    expect(fresh.locator("main")).to_contain_text("lc_theo")
    expect(fresh.locator("main")).to_contain_text("lc_priya")

    fresh.goto("/settings")
    fresh.locator("#delete-link").click()
    fresh.locator("#delete-password").fill("not my password")
    fresh.locator("#delete-account-form button[type=submit]").click()
    expect(fresh.locator(".form-error")).to_contain_text("The password is not right.")
    fresh.locator("#delete-password").fill(PASSWORD)
    fresh.locator("#delete-account-form button[type=submit]").click()
    expect(fresh.locator("h1")).to_have_text("Your account is deleted")
    gone = fresh.goto("/@lc_fresh")
    assert gone is not None and gone.status == 410
    fresh.goto("/settings")
    expect(fresh).to_have_url(re.compile(r"/login"))
    # The purge job recounts the people lc_fresh followed: reload until it has run.
    theo = f"/api/v1/accounts/{site.account_id('lc_theo')}"
    for _ in range(50):
        if site.api.get(theo).json()["followers_count"] == 1:
            break
        fresh.wait_for_timeout(100)
    assert site.api.get(theo).json()["followers_count"] == 1  # lc_maya's follow only
