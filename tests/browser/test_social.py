"""Threads, notifications, search, hashtags, explore and injected markup, in a browser."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, Page, expect

from tests.browser.site import Site

INJECTION = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def post_on(page: Page, status_id: str) -> str:
    return f'article.post[data-status-id="{status_id}"]'


def test_a_reply_threads_on_the_post_page(site: Site) -> None:
    sam = site.register("sam")
    site.register("tess")
    root = site.post(sam, "Which bread should I bake this weekend? #baking")
    page = site.person("tess")
    page.goto(f"/@sam/{root['id']}")
    thread = page.locator("#thread")
    expect(thread.locator("article.post.focused")).to_have_attribute("data-status-id", root["id"])
    expect(thread.locator("article.post.focused .post-content")).to_contain_text(
        "Which bread should I bake"
    )
    form = page.locator("form#reply")
    box = form.locator("textarea[name=status]")
    expect(box).to_have_value(re.compile(r"@sam"))
    box.fill("@sam Rye with caraway, always.")
    form.locator("button[type=submit]").click()
    reply = thread.locator(".descendants article.post", has_text="Rye with caraway")
    expect(reply).to_have_count(1)
    reply_id = reply.get_attribute("data-status-id")
    assert reply_id
    context = site.call(sam, "GET", f"/api/v1/statuses/{root['id']}/context")
    assert [s["id"] for s in context["descendants"]] == [reply_id]
    assert context["descendants"][0]["in_reply_to_id"] == root["id"]

    # Sam answers through an app: the thread grows on both pages.
    answer = site.post(sam, "@tess Caraway it is!", in_reply_to_id=reply_id)
    page.goto(f"/@tess/{reply_id}")
    expect(thread.locator("article.post.focused")).to_have_attribute("data-status-id", reply_id)
    ancestors = thread.locator(".ancestors article.post")
    expect(ancestors).to_have_count(1)
    expect(ancestors.first).to_have_attribute("data-status-id", root["id"])
    expect(thread.locator(".descendants article.post")).to_have_count(1)
    expect(thread.locator(".descendants article.post").first).to_have_attribute(
        "data-status-id", answer["id"]
    )
    # The post's link on a timeline leads to its thread.
    page.goto("/@sam")
    page.locator(post_on(page, root["id"])).locator(f'a[href$="/{root["id"]}"]').first.click()
    page.wait_for_url(re.compile(rf"/@sam/{root['id']}$"))


def assert_no_unread(page: Page) -> None:
    """The unread badge is gone, hidden or zero (give the page's scripts a moment)."""
    badge = page.locator("nav#main-nav #unread-count")
    for _ in range(25):
        if (
            badge.count() == 0
            or not badge.is_visible()
            or not re.search(r"[1-9]", badge.inner_text())
        ):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"unread count still shows {badge.inner_text()!r}")


def test_notifications_show_mentions_follows_favourites_and_boosts(site: Site) -> None:
    uma = site.register("uma")
    victor = site.register("victor")
    mine = site.post(uma, "My first post on Roost")
    reader = site.person("uma")
    reader.goto("/home")
    unread = reader.locator("nav#main-nav #unread-count")
    assert_no_unread(reader)

    site.follow(victor, "uma")
    site.call(victor, "POST", f"/api/v1/statuses/{mine['id']}/favourite")
    site.call(victor, "POST", f"/api/v1/statuses/{mine['id']}/reblog")
    site.post(victor, "@uma welcome aboard!")

    reader.goto("/home")
    expect(unread).to_have_text(re.compile(r"^\s*4\s*$"), timeout=15_000)
    reader.locator("nav#main-nav a", has_text="Notifications").click()
    reader.wait_for_url(re.compile(r"/notifications$"))
    items = reader.locator("#notifications .notification")
    expect(items).to_have_count(4)
    for kind in ("mention", "follow", "favourite", "reblog"):
        item = reader.locator(f'#notifications .notification[data-type="{kind}"]')
        expect(item).to_have_count(1)
        expect(item).to_contain_text("victor")
    expect(
        reader.locator('#notifications .notification[data-type="mention"] .post-content')
    ).to_contain_text("welcome aboard!")
    # Seen: the unread count goes away.
    reader.goto("/home")
    assert_no_unread(reader)


def test_search_finds_people_posts_and_hashtags(site: Site) -> None:
    wendy = site.register("wendy", display_name="Wendy Walker")
    site.register("xavier")
    tagged = site.post(wendy, "Spotted three puffins at the harbour today #birding")
    site.post(wendy, "Nothing to see here")
    page = site.person("xavier")
    page.goto("/home")
    page.locator("nav#main-nav a[href='/search']").first.click()
    page.wait_for_url(re.compile(r"/search$"))

    form = page.locator("form#search")
    form.locator("[name=q]").fill("wendy")
    form.locator("[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=wendy"))
    expect(page.locator("#search-accounts")).to_contain_text("Wendy Walker")
    page.locator("#search-accounts a[href$='/@wendy']").first.click()
    page.wait_for_url(re.compile(r"/@wendy$"))
    expect(page.locator("#profile .display-name")).to_contain_text("Wendy Walker")

    page.goto("/search?q=puffins")
    statuses = page.locator("#search-statuses article.post")
    expect(statuses).to_have_count(1)
    expect(statuses.first).to_have_attribute("data-status-id", tagged["id"])

    page.goto("/search?q=%23birding")
    tag = page.locator("#search-hashtags a[href$='/tags/birding']")
    expect(tag.first).to_be_visible()
    tag.first.click()
    page.wait_for_url(re.compile(r"/tags/birding$"))
    expect(page.locator(f"#timeline {post_on(page, tagged['id'])}")).to_have_count(1)
    expect(page.locator("#timeline article.post")).to_have_count(1)

    # A hashtag inside a post opens the same timeline.
    page.goto(f"/@wendy/{tagged['id']}")
    page.locator("article.post.focused .post-content a", has_text="birding").click()
    page.wait_for_url(re.compile(r"/tags/birding$"))

    page.goto("/search?q=zzzznothing")
    expect(page.locator("#search-statuses article.post")).to_have_count(0)
    expect(page.locator("#search-accounts a[href*='/@']")).to_have_count(0)


def test_explore_is_readable_when_logged_out(site: Site) -> None:
    yara = site.register("yara")
    public = site.post(yara, "Public for everyone")
    hidden = site.post(yara, "Only for my followers", visibility="private")
    page = site.page()
    for address in ("/explore", "/"):
        page.goto(address)
        timeline = page.locator("#timeline")
        expect(timeline.locator(post_on(page, public["id"]))).to_have_count(1)
        expect(timeline.locator(post_on(page, hidden["id"]))).to_have_count(0)
        expect(page.locator("form#compose")).to_have_count(0)
    page.goto("/@yara")
    expect(page.locator(post_on(page, public["id"]))).to_have_count(1)
    expect(page.locator(post_on(page, hidden["id"]))).to_have_count(0)
    response = page.goto(f"/@yara/{hidden['id']}")
    assert response is not None and response.status == 404


def test_injected_markup_shows_as_text_and_runs_nothing(site: Site) -> None:
    site.register("zoe")
    page = site.person("zoe")
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto("/home")
    page.locator("form#compose textarea[name=status]").fill(INJECTION)
    page.locator("form#compose button[type=submit]").click()
    first = page.locator("#timeline article.post").first
    expect(first.locator(".post-content")).to_contain_text("<script>window.__pwned=1</script>")
    status_id = first.get_attribute("data-status-id")
    api = site.post(
        site.password_token("zoe"), INJECTION + " <b>bold?</b> <a href='javascript:alert(1)'>x</a>"
    )

    for address in ("/home", f"/@zoe/{status_id}", "/@zoe", "/explore", f"/@zoe/{api['id']}"):
        page.goto(address)
        content = page.locator(".post-content", has_text="window.__pwned").first
        expect(content).to_contain_text('<img src=x onerror="window.__pwned=2">')
        assert content.locator("script, img, b, [onerror]").count() == 0
        assert content.locator("a[href^='javascript']").count() == 0
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__pwned") == "undefined", address
    assert dialogs == []


def test_profile_counts_and_follower_lists(site: Site) -> None:
    amy = site.register("amy", display_name="Amy Adler", note="Knits, codes, climbs.")
    ben = site.register("ben")
    site.post(amy, "One")
    site.post(amy, "Two")
    site.follow(ben, "amy")
    page = site.person("ben")
    page.goto("/@amy")
    profile = page.locator("#profile")
    expect(profile.locator(".display-name")).to_have_text(re.compile(r"^\s*Amy Adler\s*$"))
    expect(profile.locator(".bio")).to_contain_text("Knits, codes, climbs.")
    expect(profile.locator(".statuses-count")).to_have_text(re.compile(r"^\s*2\s*$"))
    expect(profile.locator(".followers-count")).to_have_text(re.compile(r"^\s*1\s*$"))
    expect(profile.locator(".following-count")).to_have_text(re.compile(r"^\s*0\s*$"))
    expect(page.locator("article.post")).to_have_count(2)

    profile.locator("a[href$='/@amy/followers']").click()
    page.wait_for_url(re.compile(r"/@amy/followers$"))
    expect(page.locator("#followers a[href$='/@ben']").first).to_be_visible()
    page.goto("/@ben/following")
    expect(page.locator("#following a[href$='/@amy']").first).to_be_visible()

    # Unfollow from the profile page: the lists follow.
    page.goto("/@amy")
    button = page.locator("#profile button#follow")
    button.click()
    expect(button).to_have_text(re.compile(r"^\s*Follow\s*$"))
    expect(profile.locator(".followers-count")).to_have_text(re.compile(r"^\s*0\s*$"))
    page.goto("/@amy/followers")
    expect(page.locator("#followers a[href$='/@ben']")).to_have_count(0)
    relationship = site.call(
        ben, "GET", "/api/v1/accounts/relationships", params={"id[]": site.account_id("amy")}
    )
    assert relationship[0]["following"] is False
