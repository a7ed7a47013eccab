"""One running Roost seen from the outside: browser contexts for people, the Mastodon
API for setting the scene, and screenshots of screens at phone and desktop sizes."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

PASSWORD = "correct horse battery staple"
# The committed gallery is rewritten only when asked (ROOST_SCREENSHOTS=1); other runs
# take the same screenshots into a temporary folder, so a test run leaves git clean.
SCREENS = (
    Path(__file__).resolve().parents[2] / "docs" / "screens"
    if os.environ.get("ROOST_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "roost-screens"
)
SIZES: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
TIMEOUT_MS = 10_000
ALL_SCOPES = "read write follow push"
# The hidden CSRF field of a form, whatever the web page names it.
CSRF_FIELD = "input[type=hidden][name*=csrf]"


class Site:
    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.api = httpx.Client(base_url=base_url, timeout=20)
        self._contexts: list[BrowserContext] = []
        self._shared: list[BrowserContext] = []
        self._shooters: dict[str, Page] = {}
        self._app: dict[str, Any] | None = None

    def __enter__(self) -> Site:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close_contexts()
        for context in self._shared:
            context.close()
        self.api.close()

    @property
    def open_contexts(self) -> int:
        return len(self._contexts)

    def close_contexts(self, keep: int = 0) -> None:
        """Close every browser context but the shared ones and the first ``keep``."""
        while len(self._contexts) > keep:
            self._contexts.pop().close()

    # ---- people in browsers --------------------------------------------------

    def context(
        self, size: str = "desktop", *, shared: bool = False, **options: Any
    ) -> BrowserContext:
        """A fresh browser (own cookies): one per person. It closes when the test that
        opened it ends, or with ``shared`` when the module's tests end."""
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=SIZES[size],
            is_mobile=size == "phone",
            has_touch=size == "phone",
            device_scale_factor=1,
            locale="en-US",
            timezone_id="UTC",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        (self._shared if shared else self._contexts).append(context)
        return context

    def page(self, size: str = "desktop", **options: Any) -> Page:
        return self.context(size, **options).new_page()

    def signup(self, page: Page, username: str, *, password: str = PASSWORD) -> None:
        """Create an account through the sign-up form; ends signed in on /home."""
        page.goto("/signup")
        form = page.locator("form#signup")
        form.locator("[name=username]").fill(username)
        form.locator("[name=email]").fill(f"{username}@example.com")
        form.locator("[name=password]").fill(password)
        form.locator("input[type=checkbox][name=agreement]").check()
        form.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/home$|/$"))
        expect(page.locator("nav#main-nav")).to_be_visible()

    def login(self, page: Page, username: str, *, password: str = PASSWORD) -> None:
        page.goto("/login")
        form = page.locator("form#login")
        form.locator("[name=email]").fill(f"{username}@example.com")
        form.locator("[name=password]").fill(password)
        form.locator("button[type=submit], input[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/home$|/$"))
        expect(page.locator("nav#main-nav")).to_be_visible()

    def person(self, username: str, size: str = "desktop") -> Page:
        """A new browser context signed in as ``username`` (who must exist)."""
        page = self.page(size)
        self.login(page, username)
        return page

    # ---- the API, to set the scene --------------------------------------------

    def app(
        self, name: str = "Roost browser tests", website: str = "https://example.org/app"
    ) -> dict[str, Any]:
        response = self.api.post(
            "/api/v1/apps",
            data={
                "client_name": name,
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": "read write follow push",
                "website": website,
            },
        )
        response.raise_for_status()
        return dict(response.json())

    def use_app(self, name: str, website: str = "https://example.org/app") -> None:
        """Register later accounts through an app called ``name`` (shown under posts)."""
        self._app = self.app(name, website)

    def password_token(
        self, username: str, *, app: dict[str, Any] | None = None, scopes: str = ALL_SCOPES
    ) -> str:
        """An OAuth token for ``username`` through the password grant."""
        if app is None:
            if self._app is None:
                self._app = self.app()
            app = self._app
        response = self.api.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": f"{username}@example.com",
                "password": PASSWORD,
                "scope": scopes,
            },
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def staff_token(self, username: str) -> str:
        """A moderation app's token for ``username``, with the admin scopes (which
        answer only if the person's role is staff)."""
        scopes = "read write admin:read admin:write"
        app = self.api.post(
            "/api/v1/apps",
            data={
                "client_name": "Moderation app",
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": scopes,
            },
        )
        app.raise_for_status()
        return self.password_token(username, app=app.json(), scopes=scopes)

    def register(self, username: str, **profile: str) -> str:
        """An account made through the API (for a cast); returns its token."""
        if self._app is None:
            self._app = self.app()
        app_token = self.api.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self._app["client_id"],
                "client_secret": self._app["client_secret"],
                "scope": "read write follow push",
            },
        ).json()["access_token"]
        response = self.api.post(
            "/api/v1/accounts",
            headers=bearer(app_token),
            data={
                "username": username,
                "email": f"{username}@example.com",
                "password": PASSWORD,
                "agreement": "true",
                "locale": "en",
            },
        )
        response.raise_for_status()
        token = str(response.json()["access_token"])
        if profile:
            self.call(token, "PATCH", "/api/v1/accounts/update_credentials", data=profile)
        return token

    def call(self, token: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.api.request(method, path, headers=bearer(token), **kwargs)
        response.raise_for_status()
        return response.json()

    def delivered(self, token: str, status_id: str) -> None:
        """Wait until the post is in the token holder's home timeline (fan-out jobs may
        land in any order: a test that needs the timeline's order waits for each)."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            home = self.call(token, "GET", "/api/v1/timelines/home", params={"limit": 40})
            if any(s["id"] == status_id for s in home):
                return
            time.sleep(0.05)
        raise AssertionError(f"{status_id} never reached the home timeline")

    def post(self, token: str, text: str, **fields: str) -> dict[str, Any]:
        status: dict[str, Any] = self.call(
            token, "POST", "/api/v1/statuses", data={"status": text, **fields}
        )
        return status

    def upload(self, token: str, data: bytes, description: str | None = None) -> str:
        """A picture uploaded through the API (v1: answered once processed); its id."""
        fields = {"description": description} if description else {}
        media = self.call(
            token, "POST", "/api/v1/media", files={"file": ("p.png", data)}, data=fields
        )
        return str(media["id"])

    def account_id(self, username: str) -> str:
        response = self.api.get("/api/v1/accounts/lookup", params={"acct": username})
        response.raise_for_status()
        return str(response.json()["id"])

    def follow(self, token: str, username: str) -> None:
        self.call(token, "POST", f"/api/v1/accounts/{self.account_id(username)}/follow")

    # ---- screenshots -----------------------------------------------------------

    def shoot(
        self,
        page: Page,
        screen: str,
        *,
        path: str | None = None,
        scroll_to: str | None = None,
        prepare: Callable[[Page], None] | None = None,
    ) -> None:
        """Save ``screen`` at phone and desktop sizes as docs/screens/<screen>-<size>.png.

        Each size is a browser context holding ``page``'s cookies and no others, so the
        shot shows what that person sees at that address; only the viewport is captured
        (scrolled to the ``scroll_to`` element, after ``prepare`` ran on the page).
        """
        SCREENS.mkdir(parents=True, exist_ok=True)
        state = page.context.storage_state()
        address = path or page.url
        for size in SIZES:
            shot = self._shooter(size, state)
            response = shot.goto(address)
            assert response is not None and response.ok, f"{address}: {response}"
            shot.wait_for_load_state("load")
            if prepare is not None:
                prepare(shot)
            if scroll_to is not None:
                shot.locator(scroll_to).first.evaluate("node => node.scrollIntoView()")
            shot.wait_for_timeout(400)  # let the page's scripts settle (times, counters)
            shot.screenshot(
                path=SCREENS / f"{screen}-{size}.png",
                animations="disabled",
                caret="hide",
            )
            if shot not in self._shooters.values():
                shot.context.close()
                self._contexts.remove(shot.context)

    def _shooter(self, size: str, state: Any) -> Page:
        """The module's page for screenshots at ``size``, its cookies now those of
        ``state``: the same as a new context made from ``state`` (the web page keeps
        nothing in the browser's storage; pages are never cached, ``no-store``) without
        a new context and tab for each of some hundred shots, ~0.2-0.5 s of CPU each."""
        if state["origins"]:  # storage of the page's own: only a new context holds it
            return self.context(size, storage_state=state).new_page()
        if size not in self._shooters:
            self._shooters[size] = self.context(size, shared=True).new_page()
        shot = self._shooters[size]
        shot.context.clear_cookies()
        shot.context.add_cookies(state["cookies"])
        return shot


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ids(page: Page) -> list[str]:
    """The status ids of the posts in the timeline, top to bottom."""
    return [
        str(x)
        for x in page.locator("#timeline article.post").evaluate_all(
            "nodes => nodes.map(n => n.dataset.statusId)"
        )
    ]
