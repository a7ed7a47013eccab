"""Profile pictures and link cards in a real browser: choose an avatar and a header in
settings (previewed before sending), see them on the profile, and a post whose link got
a card; each passes the accessibility audit, with screenshots (docs/screens/
settings-pictures-*.png, profile-pictures-*.png, post-card-*.png)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageOps
from playwright.sync_api import Page, expect

from tests.browser.audit import audit, describe
from tests.browser.site import Site
from tests.browser.test_screens import shot_exists
from tests.cards.pages import Site as LinkSite
from tests.cards.pages import serving

# Cards on, and the page site below reachable (loopback is refused by default).


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Link cards on, fetching the pages this module serves on loopback."""
    return {"ROOST_PREVIEW_CARDS": "true", "ROOST_PREVIEW_ALLOW_LOOPBACK": "true"}


@pytest.fixture(scope="module")
def pages() -> Iterator[LinkSite]:
    with serving() as running:
        running.picture = artwork((1200, 630), "#17324d", "#f0b429")
        yield running


def artwork(size: tuple[int, int], dark: str, light: str) -> bytes:
    """A picture worth a screenshot: a gradient with a sun on it."""
    ramp = Image.linear_gradient("L").rotate(90).resize(size)
    image = ImageOps.colorize(ramp, dark, light)
    draw = ImageDraw.Draw(image)
    radius = min(size) // 4
    centre = (size[0] * 2 // 3, size[1] // 2)
    box = (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius)
    draw.ellipse(box, fill="#fff4d6")
    out = BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def file(name: str, data: bytes) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def person(site: Site, username: str) -> Page:
    """Signed in, in a browser that lets the audit's inline script run."""
    page = site.context(bypass_csp=True).new_page()
    site.login(page, username)
    return page


def clean_audit(page: Page, where: str) -> None:
    violations = audit(page)
    assert not violations, f"{where}:\n{describe(violations)}"


def test_choose_an_avatar_and_a_header(site: Site) -> None:
    site.register("maya", display_name="Maya Lindqvist", note="Urban ecologist in Malmö.")
    maya = person(site, "maya")
    maya.goto("/settings")
    preview = maya.locator("#avatar-preview")
    generated = preview.get_attribute("src")
    assert generated is not None and generated.endswith(".png")
    maya.locator("input#avatar").set_input_files(
        file("maya.jpg", artwork((800, 800), "#1f4e3d", "#9fd8b5"))
    )
    # The chosen picture, shown before it is sent.
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    expect(preview).to_have_attribute("alt", "Preview of the chosen picture, maya.jpg")
    maya.locator("input#header").set_input_files(
        file("shore.jpg", artwork((2400, 900), "#0b2545", "#8da9c4"))
    )
    maya.locator("#pictures-form button[type=submit]").click()
    maya.wait_for_load_state("load")
    expect(maya.locator("p.notice")).to_have_text("Your profile pictures are saved.")
    stored = maya.locator("#avatar-preview").get_attribute("src") or ""
    assert "/system/avatars/" in stored
    expect(maya.locator("#remove-avatar")).to_be_visible()
    clean_audit(maya, "settings with pictures")
    site.shoot(maya, "settings-pictures", path="/settings", scroll_to="#pictures-heading")
    shot_exists("settings-pictures")

    maya.goto("/@maya")
    expect(maya.locator("img.avatar-large")).to_have_attribute("src", stored)
    banner = maya.locator("img.profile-banner")
    expect(banner).to_have_attribute("alt", "Header picture of @maya")
    assert "/system/headers/" in (banner.get_attribute("src") or "")
    assert maya.evaluate("() => document.querySelector('img.profile-banner').naturalWidth") == 1500
    clean_audit(maya, "profile with pictures")
    site.shoot(maya, "profile-pictures", path="/@maya")
    shot_exists("profile-pictures")

    maya.goto("/settings")
    maya.locator("#remove-avatar").click()
    maya.wait_for_load_state("load")
    expect(maya.locator("#avatar-preview")).to_have_attribute("src", generated)


def test_a_post_with_a_link_card(site: Site, pages: LinkSite) -> None:
    theo = site.register("theo", display_name="Theo Okonkwo")
    priya = site.register("priya", display_name="Priya Raman")
    site.follow(priya, "theo")
    posted = site.post(theo, f"Worth reading before Saturday: {pages.url('/article')}")
    deadline = time.monotonic() + 15
    while site.call(priya, "GET", f"/api/v1/statuses/{posted['id']}")["card"] is None:
        assert time.monotonic() < deadline, "the card never came"
        time.sleep(0.1)
    site.delivered(priya, posted["id"])
    reader = person(site, "priya")
    reader.goto("/home")
    card = reader.locator("#timeline article.post .link-card").first
    expect(card).to_have_attribute("href", pages.url("/article"))
    expect(card.locator(".link-card-title")).to_have_text("Goldcrests & firecrests in the park")
    expect(card.locator(".link-card-provider")).to_have_text("Bird Notes")
    expect(card.locator("img")).to_have_attribute("alt", "A goldcrest on a spruce twig")
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    clean_audit(reader, "a post with a card")
    site.shoot(reader, "post-card", path="/home", scroll_to=".link-card")
    shot_exists("post-card")
