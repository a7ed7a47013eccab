"""Browser fixtures: headless Debian Chromium driven by Playwright's sync API.

Chromium starts once per test module; every person in a test gets a fresh browser
context (own cookies, own storage), closed when the test ends. The server is the
module's ``live_server``: a real ``roost serve`` subprocess. Playwright's bundled
browsers are never downloaded: the tests launch the system ``chromium`` (override with
ROOST_CHROMIUM).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.site import Site

CHROMIUM = os.environ.get("ROOST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install -y chromium) or set ROOST_CHROMIUM"
        )
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def site(browser: Browser, live_server: str) -> Iterator[Site]:
    """The running server plus helpers: browser contexts, API calls, screenshots."""
    with Site(browser, live_server) as running:
        yield running


@pytest.fixture(autouse=True)
def close_the_tests_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """The contexts a test opened close when it ends; those of the module's fixtures stay.
    An open page asks the server for newer posts every few seconds, so the pages left
    open by every earlier test of a module kept Chromium and the server busy."""
    if "site" not in request.fixturenames:
        yield
        return
    site: Site = request.getfixturevalue("site")
    kept = site.open_contexts
    yield
    site.close_contexts(kept)
