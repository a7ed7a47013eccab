"""Every screen of the web page passes axe-core's WCAG 2.1 A/AA audit at phone and
desktop size, and the home screen and a thread can be used by keyboard alone.

SCREENS is the one list of screens. A new screen is one line appended to it, e.g.

    Screen("lists", "/lists"),
    Screen("list", "/lists/{list}", act=open_first_list),

``path`` is formatted with the scene's ids (``{question}`` is the id of the post named
"question" in ``scene.ids``; ``{client_id}`` the Tusky app's), ``who`` is the signed-in
person (None: signed out), ``status`` the HTTP status the address answers with, and
``act`` (optional) runs on the page before the audit: fill and send a form, open a
content warning, make a notification arrive. Screens that need more people or posts
can add them from ``act`` through ``scene.site`` and ``scene.tokens``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import APIRoute
from playwright.sync_api import BrowserContext, Page, expect

import roost.web.routes
from tests.browser.audit import audit, describe
from tests.browser.site import PASSWORD, SIZES, Site
from tests.media_files import landscape


@dataclass
class Scene:
    """The people and posts every screen is looked at with (made once per module)."""

    site: Site
    tokens: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)

    def notify(self, who: str, by: str) -> None:
        """A fresh unread notification for ``who`` (``by`` favourites a new post)."""
        fresh = self.site.post(self.tokens[who], "Counting eiders at the harbour today.")
        self.site.call(self.tokens[by], "POST", f"/api/v1/statuses/{fresh['id']}/favourite")


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    who: str | None = "maya"
    status: int = 200
    act: Callable[[Page, Scene], None] | None = None


# ---- what some screens do before the audit -------------------------------------------


def unread_badge(page: Page, scene: Scene) -> None:
    scene.notify("maya", by="theo")
    page.reload()
    expect(page.locator("#unread-count")).to_be_visible()


def open_warnings(page: Page, scene: Scene) -> None:
    for summary in page.locator("details.spoiler > summary").all():
        summary.click()
    expect(page.locator("details.spoiler[open]").first).to_be_visible()


def compose_error(page: Page, scene: Scene) -> None:
    """The compose page a browser without scripts gets back for an empty post."""
    with page.expect_navigation():
        page.locator("form#compose").evaluate("form => form.submit()")
    expect(page.locator(".form-error:not([hidden])")).to_be_visible()


def login_error(page: Page, scene: Scene) -> None:
    form = page.locator("form#login")
    form.locator("[name=email]").fill("maya@example.com")
    form.locator("[name=password]").fill("not the password")
    form.locator("button[type=submit]").click()
    expect(page.locator(".form-error:not([hidden])")).to_be_visible()


def signup_error(page: Page, scene: Scene) -> None:
    form = page.locator("form#signup")
    form.locator("[name=username]").fill("maya")
    form.locator("[name=email]").fill("not-an-email")
    form.locator("[name=password]").fill("short")
    form.locator("button[type=submit]").click()
    expect(page.locator(".form-error:not([hidden])")).to_be_visible()


def authorize_wrong_password(page: Page, scene: Scene) -> None:
    page.locator("form#authorize [name=email]").fill("maya@example.com")
    page.locator("form#authorize [name=password]").fill("not the password")
    page.locator("form#authorize button.approve").click()
    expect(page.locator(".form-error:not([hidden])")).to_be_visible()


def authorize_approve(page: Page, scene: Scene) -> None:
    page.locator("form#authorize button.approve").click()
    expect(page.locator(".authorization-code")).to_be_visible()


def authorize_deny(page: Page, scene: Scene) -> None:
    page.locator("form#authorize button.deny").click()
    expect(page.locator("h1")).to_have_text("Access denied")


def import_without_file(page: Page, scene: Scene) -> None:
    page.locator("form#import-form button[type=submit]").click()
    expect(page.locator(".form-error:not([hidden])")).to_be_visible()


def attach_images(page: Page, scene: Scene) -> None:
    """Two pictures in the compose box, the second without a description (its warning
    shows), and the question asked before posting it."""
    compose = page.locator("form#compose")
    compose.locator("details.compose-media summary").click()
    for n, description in enumerate(["A heron in the reeds", ""]):
        slot = compose.locator(f".media-slot[data-slot='{n}']")
        photo = {"name": f"photo{n}.jpg", "mimeType": "image/jpeg", "buffer": landscape()}
        slot.locator("input[type=file]").set_input_files(photo)  # type: ignore[arg-type]
        slot.locator("textarea").fill(description)
    compose.locator("button[type=submit]").click()
    expect(compose.locator(".alt-confirm")).to_be_visible()


def open_viewer(page: Page, scene: Scene) -> None:
    page.locator("a.media-item").first.click()
    expect(page.locator("dialog#media-viewer")).to_be_visible()


def show_sensitive(page: Page, scene: Scene) -> None:
    page.locator("details.media-sensitive > summary").first.click()
    expect(page.locator("details.media-sensitive .media-item").first).to_be_visible()


AUTHORIZE = (
    "/oauth/authorize?client_id={client_id}&response_type=code"
    "&redirect_uri=urn:ietf:wg:oauth:2.0:oob&scope=read+write+follow"
)

SCREENS: list[Screen] = [
    Screen("signup", "/signup", who=None),
    Screen("signup-errors", "/signup", who=None, act=signup_error),
    Screen("login", "/login", who=None),
    Screen("login-error", "/login", who=None, act=login_error),
    Screen("home", "/home"),
    Screen("home-unread", "/home", act=unread_badge),
    Screen("home-warnings-open", "/home", act=open_warnings),
    Screen("compose-error", "/home", act=compose_error),
    Screen("compose-images", "/home", act=attach_images),
    Screen("thread-pictures", "/@maya/{pictures}"),
    Screen("media-viewer", "/@maya/{pictures}", act=open_viewer),
    Screen("sensitive-shown", "/@priya/{sensitive}", act=show_sensitive),
    Screen("edit-pictures", "/statuses/{pictures}/edit"),
    Screen("history-pictures", "/@maya/{pictures}/history"),
    Screen("thread", "/@maya/{question}"),
    Screen("thread-warning", "/@priya/{warning}", act=open_warnings),
    Screen("thread-signed-out", "/@maya/{question}", who=None),
    Screen("own-profile", "/@maya"),
    Screen("profile", "/@theo"),
    Screen("profile-blocked", "/@spam_bot"),
    Screen("profile-signed-out", "/@theo", who=None),
    Screen("followers", "/@maya/followers"),
    Screen("following", "/@maya/following"),
    Screen("notifications", "/notifications"),
    Screen("search", "/search"),
    Screen("search-results", "/search?q=birding"),
    Screen("search-nothing", "/search?q=zzzzzz"),
    Screen("tag", "/tags/birding"),
    Screen("explore", "/explore"),
    Screen("explore-signed-out", "/explore", who=None),
    Screen("front-signed-out", "/", who=None),
    Screen("settings", "/settings"),
    Screen("conversations", "/conversations"),
    Screen("scheduled", "/scheduled"),
    Screen("bookmarks", "/bookmarks"),
    Screen("lists", "/lists"),
    Screen("list", "/lists/{list}"),
    Screen("list-edit", "/lists/{list}/edit"),
    Screen("followed-tags", "/followed-tags"),
    Screen("follow-requests", "/follow_requests"),
    Screen("requested-profile", "/@maya", who="ines"),
    Screen("featured-tag", "/@maya/tagged/birding"),
    Screen("edit", "/statuses/{bikes}/edit"),
    Screen("history", "/@maya/{bikes}/history"),
    Screen("conversation", "/conversations/{conversation}"),
    Screen("authorize", AUTHORIZE, who=None),
    Screen("authorize-error", AUTHORIZE, who=None, act=authorize_wrong_password),
    Screen("authorize-signed-in", AUTHORIZE),
    Screen("authorization-code", AUTHORIZE, act=authorize_approve),
    Screen("authorize-denied", AUTHORIZE, act=authorize_deny),
    Screen("authorize-unknown-app", "/oauth/authorize?client_id=nope", who=None, status=400),
    Screen("moderation", "/moderation", who="ruth"),
    Screen("moderation-reports", "/moderation/reports", who="ruth"),
    Screen("moderation-reports-resolved", "/moderation/reports?resolved=1", who="ruth"),
    Screen("moderation-report", "/moderation/reports/{report}", who="ruth"),
    Screen("moderation-account", "/moderation/accounts/{spam_bot}", who="ruth"),
    Screen("moderation-audit", "/moderation/audit", who="ruth"),
    Screen("moderation-not-allowed", "/moderation", status=403),
    Screen("notifications-report", "/notifications", who="ruth"),
    Screen("export", "/settings/export"),
    Screen("import", "/settings/import"),
    Screen("import-error", "/settings/import", act=import_without_file),
    Screen("delete-account", "/settings/delete"),
    Screen("forgot-password", "/auth/password/new", who=None),
    Screen(
        "reset-link-invalid", "/auth/password/edit?reset_password_token=x", who=None, status=400
    ),
    Screen("confirmation-new", "/auth/confirmation/new", who=None),
    Screen("confirm-link-invalid", "/auth/confirmation?confirmation_token=x", who=None, status=400),
    Screen("not-found", "/@nobody_here", status=404),
    Screen("not-found-signed-out", "/@maya/123456789", who=None, status=404),
]

PEOPLE = {
    "maya": {"display_name": "Maya Lindqvist", "note": "Urban ecologist. #birding"},
    "theo": {"display_name": "Theo Okonkwo", "note": "Backend engineer, https://example.com"},
    "priya": {"display_name": "Priya Raman", "note": "Photographer and trail runner."},
    "sam_k": {"display_name": "Sam Kowalski", "note": "Reads too much."},
    "spam_bot": {"display_name": "Totally Real Deals", "note": "Click here!!!"},
    "ines": {"display_name": "Inés Duarte", "note": "Asks first."},
    "ruth": {"display_name": "Ruth Moderator", "note": "Keeps the place friendly."},
    "newbie": {"display_name": "New Person", "note": "Waiting to be let in."},
}


@pytest.fixture(scope="module")
def scene(site: Site, live_sql: Callable[[str], None]) -> Scene:
    """Posts with mentions, hashtags, links, pictures (a sensitive one too), boosts,
    replies, content warnings and every visibility; notifications of each type for
    maya; for ruth, a moderator, a report, a sign-up waiting for approval and the audit
    log."""
    scene = Scene(site, {name: site.register(name, **p) for name, p in PEOPLE.items()})
    t, ids = scene.tokens, scene.ids
    for follower, followed in [
        ("maya", "theo"),
        ("maya", "priya"),
        ("maya", "sam_k"),
        ("theo", "maya"),
        ("priya", "maya"),
    ]:
        site.follow(t[follower], followed)

    def post(name: str, who: str, text: str, **fields: str) -> None:
        ids[name] = site.post(t[who], text, **fields)["id"]

    post("cache", "theo", "Shipped the timeline cache: https://example.com/blog #engineering")
    post("question", "maya", "@theo that's a huge win! Is SQL still the truth?",
         in_reply_to_id=ids["cache"])  # fmt: skip
    post("answer", "theo", "@maya Yes: Redis is only a cache. #engineering",
         in_reply_to_id=ids["question"])  # fmt: skip
    post("warning", "priya", "The last episode ends with a wedding.",
         spoiler_text="Spoilers for the finale")  # fmt: skip
    post("walk", "priya", "Saturday walk along the shore, @maya and @theo coming? #birding")
    post("followers", "priya", "Only for followers: new lens arrived.", visibility="private")
    post("unlisted", "theo", "A quiet unlisted note.", visibility="unlisted")
    post("direct", "theo", "@maya a private word about the cache.", visibility="direct")
    post("goldcrest", "maya", "A pair of goldcrests in Pildammsparken! #birding #malmö")
    post("bikes", "maya", "12 km of new bike lanes: https://example.net/news/bike-lanes")
    post("reading", "sam_k", "Weekend reading: https://example.org/essays #reading")
    shots = [
        site.upload(t["maya"], landscape(sky=sky), words)
        for sky, words in [((120, 170, 230), "Eiders on the water"), ((230, 150, 110), None),
                           ((90, 110, 170), "The harbour at dusk")]
    ]  # fmt: skip
    ids["pictures"] = site.call(
        t["maya"], "POST", "/api/v1/statuses",
        json={"status": "Three from the harbour #birding", "media_ids": shots},
    )["id"]  # fmt: skip
    site.call(
        t["maya"], "PUT", f"/api/v1/statuses/{ids['pictures']}",
        json={"status": "Three from the harbour #birding", "media_ids": shots,
              "media_attributes": [{"id": shots[1], "description": "A cormorant drying"}]},
    )  # fmt: skip
    hidden = site.upload(t["priya"], landscape(), "A fox at the bins")
    ids["sensitive"] = site.call(
        t["priya"], "POST", "/api/v1/statuses",
        json={"status": "Night visitor", "media_ids": [hidden], "sensitive": True},
    )["id"]  # fmt: skip
    poll = {"status": "Which shore bird first?", "poll[options][]": ["Dunlin", "Knot"]}
    ids["poll"] = site.call(
        t["theo"], "POST", "/api/v1/statuses", data={**poll, "poll[expires_in]": "3600"}
    )["id"]
    for who in ("theo", "priya"):
        site.call(t[who], "POST", f"/api/v1/statuses/{ids['goldcrest']}/favourite")
    site.call(t["theo"], "POST", f"/api/v1/statuses/{ids['bikes']}/reblog")
    site.call(t["maya"], "POST", f"/api/v1/statuses/{ids['cache']}/reblog")
    site.call(t["maya"], "POST", f"/api/v1/statuses/{ids['walk']}/favourite")
    site.call(t["maya"], "POST", f"/api/v1/statuses/{ids['answer']}/reblog")
    site.call(t["maya"], "POST", f"/api/v1/accounts/{site.account_id('spam_bot')}/block")
    site.call(t["maya"], "POST", f"/api/v1/accounts/{site.account_id('sam_k')}/mute")
    edit = {"status": "14 km of new bike lanes: https://example.net/news/bike-lanes"}
    site.call(t["maya"], "PUT", f"/api/v1/statuses/{ids['bikes']}", data=edit)
    site.call(t["maya"], "POST", f"/api/v1/statuses/{ids['walk']}/bookmark")
    site.call(t["maya"], "POST", f"/api/v1/statuses/{ids['goldcrest']}/pin")
    site.call(t["maya"], "POST", "/api/v1/featured_tags", data={"name": "birding"})
    friends = site.call(t["maya"], "POST", "/api/v1/lists", data={"title": "Friends"})
    ids["list"] = friends["id"]
    members = {"account_ids[]": [site.account_id("theo"), site.account_id("priya")]}
    site.call(t["maya"], "POST", f"/api/v1/lists/{ids['list']}/accounts", data=members)
    site.call(t["maya"], "POST", "/api/v1/tags/engineering/follow")
    # maya locks her account after her friends followed: ines's follow waits for her.
    site.call(t["maya"], "PATCH", "/api/v1/accounts/update_credentials", data={"locked": "true"})
    site.follow(t["ines"], "maya")
    ids["conversation"] = wait_for_conversation(site, t["maya"])
    # Moderation: ruth is made a moderator and newbie left waiting, at the database as
    # no API does either; theo reports spam_bot, and ruth takes the report on.
    live_sql("UPDATE accounts SET role = 'moderator' WHERE username = 'ruth'")
    live_sql("UPDATE accounts SET approved = false WHERE username = 'newbie'")
    post("deal", "spam_bot", "Click here for deals: https://deals.example/watches")
    ids["spam_bot"] = site.account_id("spam_bot")
    report = {"account_id": ids["spam_bot"], "status_ids[]": ids["deal"], "category": "spam"}
    report["comment"] = "The same advert every hour."
    ids["report"] = site.call(t["theo"], "POST", "/api/v1/reports", data=report)["id"]
    staff = site.staff_token("ruth")
    site.call(staff, "POST", f"/api/v1/admin/reports/{ids['report']}/assign_to_self")
    tusky = site.app("Tusky", "https://tusky.app")
    site.password_token("maya", app=tusky)
    ids["client_id"] = tusky["client_id"]
    return scene


def wait_for_conversation(site: Site, token: str) -> str:
    """The id of the person's newest conversation, once its job has made it."""
    for _ in range(100):
        conversations = site.call(token, "GET", "/api/v1/conversations")
        if conversations:
            return str(conversations[0]["id"])
        time.sleep(0.05)
    raise AssertionError("no conversation appeared")


@pytest.fixture(scope="module")
def browsers(site: Site, scene: Scene) -> Callable[[str | None, str], BrowserContext]:
    """One browser context per person and size, signed in once, shared by the screens."""
    contexts: dict[tuple[str | None, str], BrowserContext] = {}

    def get(who: str | None, size: str) -> BrowserContext:
        if (who, size) not in contexts:
            context = site.context(size, shared=True, bypass_csp=True)  # axe: inline
            page = context.new_page()  # the page the screens are visited in
            if who is not None:
                site.login(page, who, password=PASSWORD)
            contexts[who, size] = context
        return contexts[who, size]

    return get  # the site closes the contexts


def visit(context: BrowserContext, screen: Screen, scene: Scene) -> Page:
    """The screen in the context's one page: a new document (its own scripts, axe loaded
    anew) as in a new tab, without a tab opened and closed for each of the 140 screens,
    which was half of the module's CPU."""
    page = context.pages[0]
    address = screen.path.format(**scene.ids)
    response = page.goto(address)
    assert response is not None and response.status == screen.status, (address, response)
    page.wait_for_load_state("load")
    if screen.act is not None:
        screen.act(page, scene)
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_screen_passes_wcag_audit(
    screen: Screen,
    size: str,
    scene: Scene,
    browsers: Callable[[str | None, str], BrowserContext],
) -> None:
    page = visit(browsers(screen.who, size), screen, scene)
    violations = audit(page)
    assert not violations, f"{screen.name} at {size} size:\n{describe(violations)}"
    # Reflow (WCAG 1.4.10): nothing is wider than the screen, which would make a phone
    # shrink the whole page (and misplace every tap).
    root = "document.documentElement"
    wide = page.evaluate(f"{root}.scrollWidth - {root}.clientWidth")
    assert wide <= 0, f"{screen.name} at {size} size is {wide}px wider than the screen"


def web_pages() -> list[str]:
    """The addresses of the web page's screens: every GET route of roost.web.routes
    except those that answer JSON to the page's scripts (newer/older posts, counts) and
    the files it hands out to save (the exports, answered as a ``Download``)."""
    pages = []
    for info in pkgutil.iter_modules(roost.web.routes.__path__):
        module = importlib.import_module(f"roost.web.routes.{info.name}")
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            answers = str(route.endpoint.__annotations__.get("return", ""))
            if "GET" in route.methods and "JSON" not in answers and "Download" not in answers:
                pages.append(route.path)
    return pages


def answers(route: str, address: str) -> bool:
    """Whether the route ``/@{username}/followers`` answers ``/@maya/followers``."""
    parts = re.split(r"(\{\w+\})", route)
    pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.fullmatch(pattern, address.split("?")[0]) is not None


def test_every_screen_of_the_web_page_is_audited() -> None:
    """A new screen must be added to SCREENS (one line) to be audited."""
    missing = [path for path in web_pages() if not any(answers(path, s.path) for s in SCREENS)]
    assert not missing, f"add these screens to SCREENS in {__name__}: {missing}"


# ---- keyboard ---------------------------------------------------------------------

# What the focused element looks like, and whether something else is drawn over it.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const x = rect.left + rect.width / 2, y = rect.top + rect.height / 2;
  const hit = document.elementFromPoint(x, y);
  let back = el.parentElement, background = "rgb(255, 255, 255)";
  for (; back; back = back.parentElement) {
    const colour = getComputedStyle(back).backgroundColor;
    if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") { background = colour; break; }
  }
  return {
    name: el.outerHTML.slice(0, 160),
    focusVisible: el.matches(":focus-visible"),
    outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
    boxShadow: style.boxShadow,
    background,
    inView: y >= 0 && y <= innerHeight,
    covered: hit !== null && hit !== el && !el.contains(hit),
    coveredBy: hit ? hit.outerHTML.slice(0, 120) : null,
  };
}"""


def luminance(colour: str) -> float:
    red, green, blue = (int(x) / 255 for x in re.findall(r"\d+", colour)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, two: str) -> float:
    a, b = sorted((luminance(one), luminance(two)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def tab_through(page: Page, limit: int = 200) -> list[dict[str, Any]]:
    """Press Tab until focus comes back to the first element (or ``limit`` presses);
    the state of each focused element, in order."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            continue
        if seen and state["name"] == seen[0]["name"]:
            break
        seen.append(state)
    return seen


def focus_problems(states: list[dict[str, Any]]) -> list[str]:
    problems = []
    for s in states:
        style, width, colour = s["outline"]
        if not s["focusVisible"]:
            problems.append(f"not :focus-visible: {s['name']}")
        elif style == "none" or width < 2:
            problems.append(f"no focus outline: {s['name']}")
        elif contrast(colour, s["background"]) < 3:
            ratio = contrast(colour, s["background"])
            problems.append(f"focus outline {colour} on {s['background']} is {ratio:.2f}:1")
        if not s["inView"]:
            problems.append(f"focused but out of view: {s['name']}")
        elif s["covered"]:
            problems.append(f"focused but covered by {s['coveredBy']}: {s['name']}")
    return problems


@pytest.mark.parametrize("path", ["/home", "/@maya/{question}"], ids=["home", "thread"])
def test_keyboard_reaches_everything_visibly_at_phone_size(
    path: str, scene: Scene, browsers: Callable[[str | None, str], BrowserContext]
) -> None:
    page = browsers("maya", "phone").new_page()
    try:
        page.goto(path.format(**scene.ids))
        expect(page.locator("article.post").first).to_be_visible()
        page.wait_for_timeout(300)
        states = tab_through(page)
        names = " ".join(s["name"] for s in states)
        # The whole page is reached: the skip link, the posts' buttons, the tab bar.
        assert "skip-link" in names
        assert "action favourite" in names
        assert "nav-link nav-home" in names
        assert len(states) > 20, names
        assert not focus_problems(states), "\n".join(focus_problems(states))
    finally:
        page.close()
