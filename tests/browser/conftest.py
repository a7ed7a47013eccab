"""Browser fixtures: headless Debian Chromium driven by Playwright's sync API.

Chromium starts once per pytest worker, the first time a browser module needs it (a
start cost ~0.8 s of CPU, and the run has fifteen modules); every person in a test gets
a fresh browser context (own cookies, own storage), closed when the test ends, and a
module leaves no context behind for the next. The server is the
module's ``live_server``: a real ``roost serve`` subprocess. Playwright's bundled
browsers are never downloaded: the tests launch the system ``chromium`` (override with
ROOST_CHROMIUM).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

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


@pytest.fixture(scope="session")
def chromium() -> Iterator[tuple[Browser, asyncio.AbstractEventLoop]]:
    """The worker's Chromium, and the event loop its driver's calls run on (marked as
    running only while a browser module runs: see ``browser``)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install -y chromium) or set ROOST_CHROMIUM"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        loop = asyncio.get_running_loop()
        # Off, as with no browser: the session's other fixtures, set up next (the
        # template database, migrated through asyncio.run), need a thread running none.
        asyncio._set_running_loop(None)
        yield launched, loop
        asyncio._set_running_loop(loop)  # put back for the last calls (see ``browser``)
        launched.close()


@pytest.fixture(scope="module")
def browser(chromium: tuple[Browser, asyncio.AbstractEventLoop]) -> Iterator[Browser]:
    """The worker's Chromium, lent to one module.

    Between its calls Playwright's sync API leaves the thread marked as running its
    driver's event loop. The worker's next module may be of other tests, whose
    pytest-asyncio loop (or ``asyncio.run``) would refuse to start in a thread running
    one: the mark is taken off when a module ends, and put back when the next browser
    module begins."""
    launched, loop = chromium
    asyncio._set_running_loop(loop)
    yield launched
    left = launched.contexts
    for context in left:
        context.close()
    asyncio._set_running_loop(None)
    assert not left, f"the module left {len(left)} browser context(s) open"


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
