"""The home page in a real browser: sign up, follow, new posts arriving while the page
is open, infinite scroll, the compose box and acting on posts in place."""

from __future__ import annotations

import re

from playwright.sync_api import FloatRect, Page, expect

from tests.browser.site import Site, ids

# New posts arrive by streaming or polling; give the page time to notice them.
ARRIVAL_MS = 20_000


def top_of(page: Page, status_id: str) -> float:
    """Where a post's top edge sits in the viewport, in CSS pixels."""
    return float(
        page.locator(f'#timeline article.post[data-status-id="{status_id}"]').evaluate(
            "node => node.getBoundingClientRect().top"
        )
    )


def page_marker(page: Page) -> None:
    """Mark this document: the mark survives in-place updates, not a reload."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"


def test_two_people_sign_up_follow_and_see_new_posts_arrive(site: Site) -> None:
    alice = site.page()
    site.signup(alice, "alice")
    bob = site.page()
    site.signup(bob, "bob")

    # Bob follows Alice from her profile page.
    bob.goto("/@alice")
    profile = bob.locator("#profile")
    expect(profile.locator(".display-name")).to_contain_text("alice")
    follow = profile.locator("button#follow")
    expect(follow).to_have_text(re.compile(r"^\s*Follow\s*$"))
    follow.click()
    expect(follow).to_have_text(re.compile(r"^\s*Unfollow\s*$"))
    expect(profile.locator(".followers-count")).to_contain_text("1")
    bob.reload()
    expect(bob.locator("button#follow")).to_have_text(re.compile(r"^\s*Unfollow\s*$"))
    token, reader = site.password_token("alice"), site.password_token("bob")
    older = []
    for n in range(12):  # each delivered before the next: the timeline's order is known
        older.append(site.post(token, f"Morning note number {n} from Alice")["id"])
        site.delivered(reader, older[-1])

    # Bob reads his home timeline, scrolled down to the fifth post.
    bob.goto("/home")
    expect(bob.locator("#timeline article.post")).to_have_count(12)
    assert ids(bob) == older[::-1]
    expect(bob.locator("#new-posts")).to_be_hidden()
    anchor = older[-5]
    bob.locator(f'#timeline article.post[data-status-id="{anchor}"]').scroll_into_view_if_needed()
    bob.evaluate("window.scrollBy(0, -40)")
    before = top_of(bob, anchor)
    assert bob.evaluate("window.scrollY") > 0
    page_marker(bob)

    # Alice posts from another browser (the form) and from an app (the API).
    alice.goto("/home")
    alice.locator("form#compose textarea[name=status]").fill("Hello Bob, from the web page")
    alice.locator("form#compose button[type=submit]").click()
    expect(alice.locator("#timeline .post-content").first).to_contain_text(
        "Hello Bob, from the web page"
    )
    site.post(token, "And one from my phone app")
    newer = [
        str(x["id"])
        for x in site.call(
            token,
            "GET",
            f"/api/v1/accounts/{site.account_id('alice')}/statuses",
            params={"limit": 2},
        )
    ]

    # They wait behind the button: nothing moves under the reader.
    button = bob.locator("#new-posts")
    expect(button).to_be_visible(timeout=ARRIVAL_MS)
    expect(button).to_have_text(re.compile(r"\b2 new posts\b"), timeout=ARRIVAL_MS)
    assert ids(bob) == older[::-1]
    assert abs(top_of(bob, anchor) - before) <= 2

    # Pressed: merged at the top, each post once, the reader's post still in place.
    button.evaluate("node => node.click()")
    expect(bob.locator("#timeline article.post")).to_have_count(14)
    seen = ids(bob)
    assert seen == newer + older[::-1]
    assert len(seen) == len(set(seen))
    assert abs(top_of(bob, anchor) - before) <= 2
    expect(button).to_be_hidden()
    assert_same_document(bob)

    # One more arrives: the singular, then a real click from the top of the page.
    bob.evaluate("window.scrollTo(0, 0)")
    last = site.post(token, "Last one for today")["id"]
    expect(button).to_have_text(re.compile(r"\b1 new post\b"), timeout=ARRIVAL_MS)
    button.click()
    expect(bob.locator("#timeline article.post").first).to_have_attribute("data-status-id", last)
    seen = ids(bob)
    assert seen == [last, *newer, *older[::-1]]
    assert_same_document(bob)

    # A reload shows the same timeline: nothing was lost or invented.
    bob.reload()
    expect(bob.locator("#timeline article.post")).to_have_count(15)
    assert ids(bob) == seen


def test_scrolling_down_loads_older_posts_without_gaps_or_repeats(site: Site) -> None:
    token = site.register("carol")
    reader = site.register("dave")
    site.follow(reader, "carol")
    for n in range(47):
        site.post(token, f"Carol's diary, entry {n}")
    site.post(reader, "Dave's own post sits in his home too")
    expected: list[str] = []
    max_id = None
    while True:
        params = {"limit": 40, **({"max_id": max_id} if max_id else {})}
        page_ = site.call(reader, "GET", "/api/v1/timelines/home", params=params)
        if not page_:
            break
        expected += [str(s["id"]) for s in page_]
        max_id = page_[-1]["id"]
    assert len(expected) == 48

    page = site.person("dave")
    page.goto("/home")
    expect(page.locator("#timeline article.post").first).to_be_visible()
    first_page = len(ids(page))
    assert 0 < first_page < 48, "the first page should not hold the whole timeline"
    page_marker(page)
    for _ in range(30):
        if len(ids(page)) >= 48:
            break
        count = len(ids(page))
        page.mouse.wheel(0, 20_000)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        try:
            expect(page.locator("#timeline article.post")).not_to_have_count(count, timeout=3000)
        except AssertionError:
            continue
    seen = ids(page)
    assert len(seen) == len(set(seen)), "a post appears twice"
    assert seen == expected
    assert_same_document(page)
    # At the end there is nothing more to load, and scrolling again adds nothing.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(1500)
    assert ids(page) == expected


def test_compose_counts_characters_as_you_type(site: Site) -> None:
    site.register("erin")
    page = site.person("erin")
    page.goto("/home")
    box = page.locator("form#compose textarea[name=status]")
    counter = page.locator("#char-count")
    expect(counter).to_have_text(re.compile(r"^\s*500\s*$"))
    box.press_sequentially("Hello")
    expect(counter).to_have_text(re.compile(r"^\s*495\s*$"))
    box.press_sequentially(", world")
    expect(counter).to_have_text(re.compile(r"^\s*488\s*$"))
    box.press("Backspace")
    expect(counter).to_have_text(re.compile(r"^\s*489\s*$"))
    box.fill("x" * 510)
    expect(counter).to_have_text(re.compile(r"^\s*-10\s*$"))
    box.fill("")
    expect(counter).to_have_text(re.compile(r"^\s*500\s*$"))
    expect(page.locator("form#compose select[name=visibility]")).to_be_visible()


def test_compose_and_post_with_the_keyboard_only(site: Site) -> None:
    site.register("frank")
    page = site.person("frank")
    page.goto("/home")
    page.locator("body").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('form#compose textarea[name=status]')"):
            break
    else:
        raise AssertionError("Tab never reaches the compose box")
    page.keyboard.type("Typed and posted without a mouse #keyboard")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('form#compose [type=submit]')"):
            break
    else:
        raise AssertionError("Tab never reaches the Post button")
    expect(page.locator("form#compose button[type=submit]")).to_have_text(
        re.compile(r"^\s*Post\s*$")
    )
    page.keyboard.press("Enter")
    first = page.locator("#timeline article.post").first
    expect(first.locator(".post-content")).to_contain_text("Typed and posted without a mouse")
    token = site.password_token("frank")
    mine = site.call(token, "GET", f"/api/v1/accounts/{site.account_id('frank')}/statuses")
    assert [s["id"] for s in mine[:1]] == [first.get_attribute("data-status-id")]
    expect(page.locator("form#compose textarea[name=status]")).to_have_value("")


def test_favourite_boost_reply_and_delete_in_place(site: Site) -> None:
    author = site.register("grace")
    reader = site.register("heidi")
    site.follow(reader, "grace")
    status = site.post(author, "Boost me, favourite me")
    mine = site.post(reader, "I will delete this one")
    page = site.person("heidi")
    page.goto("/home")
    page_marker(page)
    post = page.locator(f'#timeline article.post[data-status-id="{status["id"]}"]')

    favourite = post.locator("button.favourite")
    expect(favourite).to_have_attribute("aria-pressed", "false")
    favourite.click()
    expect(favourite).to_have_attribute("aria-pressed", "true")
    expect(post.locator(".favourite-count")).to_have_text(re.compile(r"^\s*1\s*$"))

    boost = post.locator("button.boost")
    expect(boost).to_have_attribute("aria-pressed", "false")
    boost.click()
    expect(boost).to_have_attribute("aria-pressed", "true")
    expect(post.locator(".boost-count")).to_have_text(re.compile(r"^\s*1\s*$"))

    seen = site.call(reader, "GET", f"/api/v1/statuses/{status['id']}")
    assert seen["favourited"] is True
    assert seen["reblogged"] is True
    assert seen["favourites_count"] == 1

    favourite.click()
    expect(favourite).to_have_attribute("aria-pressed", "false")
    expect(post.locator(".favourite-count")).not_to_have_text(re.compile(r"^\s*1\s*$"))
    assert site.call(reader, "GET", f"/api/v1/statuses/{status['id']}")["favourited"] is False

    # Only my own posts carry a delete button; deleting removes it in place.
    expect(post.locator("button.delete")).to_have_count(0)
    own = page.locator(f'#timeline article.post[data-status-id="{mine["id"]}"]')
    page.on("dialog", lambda dialog: dialog.accept())
    own.locator("button.delete").click()
    expect(own).to_have_count(0)
    response = site.api.get(f"/api/v1/statuses/{mine['id']}")
    assert response.status_code == 404
    assert_same_document(page)

    # Reply from the timeline: a focused reply box (inline or on the post page), and
    # the reply lands in the post's thread.
    post.locator("button.reply").click()
    box = page.locator("textarea[name=status]:focus")
    expect(box).to_have_count(1)
    expect(box).to_have_value(re.compile(r"@grace"))
    box.press("End")
    box.press_sequentially(" Done, both!")
    box.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    expect(page.locator(".post-content", has_text="Done, both!").first).to_be_visible()
    context = site.call(reader, "GET", f"/api/v1/statuses/{status['id']}/context")
    assert any("Done, both!" in s["content"] for s in context["descendants"])


def _box(page: Page, selector: str) -> FloatRect:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_the_new_posts_button_covers_nothing_and_moves_the_home_marker(site: Site) -> None:
    author = site.register("ines")
    reader = site.register("jon")
    site.follow(reader, "ines")
    for n in range(8):
        site.post(author, f"Ines, note {n}")
    for size in ("phone", "desktop"):
        page = site.page(size)
        site.login(page, "jon")
        page.goto("/home")
        top = page.locator("#timeline article.post").first.get_attribute("data-status-id")
        # Loading the home page moved the home marker to the post on top.
        markers = site.call(reader, "GET", "/api/v1/markers", params={"timeline[]": "home"})
        assert markers["home"]["last_read_id"] == top

        fresh = site.post(author, f"Fresh, for the {size}")["id"]
        button = page.locator("#new-posts")
        expect(button).to_have_text(re.compile(r"\b1 new post\b"), timeout=ARRIVAL_MS)
        # At the top of the page it has a row of its own, above the first post.
        below = _box(page, "#timeline article.post")
        assert _box(page, "#new-posts")["y"] + _box(page, "#new-posts")["height"] <= below["y"]
        # Scrolled down it stays in sight, stuck to the top of the screen.
        page.evaluate("window.scrollTo(0, 600)")
        stuck = _box(page, "#new-posts")
        assert 0 <= stuck["y"] <= 20
        markers = site.call(reader, "GET", "/api/v1/markers", params={"timeline[]": "home"})
        assert markers["home"]["last_read_id"] == top  # not seen yet

        button.click()
        expect(page.locator("#timeline article.post").first).to_have_attribute(
            "data-status-id", fresh
        )
        for _ in range(50):  # the page tells the server in the background
            markers = site.call(reader, "GET", "/api/v1/markers", params={"timeline[]": "home"})
            if markers["home"]["last_read_id"] == fresh:
                break
            page.wait_for_timeout(100)
        assert markers["home"]["last_read_id"] == fresh
        page.context.close()
