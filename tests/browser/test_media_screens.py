"""Pictures in a real browser: attach images with descriptions in the compose box (and
be asked once more when one has none), see the grid, open the viewer and close it by
keyboard, reveal a sensitive picture; screenshots of each at phone and desktop sizes
(docs/screens/compose-images-*.png, post-images-*.png, media-viewer-*.png,
sensitive-media-*.png)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.site import Site
from tests.browser.test_screens import shot_exists
from tests.media_files import landscape

PEOPLE = {
    "maya": {"display_name": "Maya Lindqvist", "note": "Urban ecologist in Malmö."},
    "priya": {"display_name": "Priya Raman", "note": "Photographer and trail runner."},
}
SKIES = [(120, 170, 230), (230, 150, 110), (90, 110, 170), (160, 200, 220)]
GROUNDS = [(60, 120, 70), (150, 120, 60), (40, 70, 90), (200, 190, 150)]


def photo(n: int, width: int = 640, height: int = 420) -> bytes:
    return landscape(width, height, SKIES[n % 4], GROUNDS[n % 4])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("photos")
    made = []
    for n in range(4):
        path = folder / f"photo{n}.jpg"
        path.write_bytes(photo(n))
        made.append(path)
    return made


@pytest.fixture(scope="module")
def tokens(site: Site) -> dict[str, str]:
    made = {name: site.register(name, **profile) for name, profile in PEOPLE.items()}
    site.follow(made["maya"], "priya")
    # priya's posts with one to four pictures, and a sensitive one.
    captions = ["Dunes at dawn", "Harbour wall", "Evening field", "Reed beds"]
    for count in (1, 2, 3, 4):
        media = [site.upload(made["priya"], photo(n + count), captions[n]) for n in range(count)]
        text = f"{count} from this week's walk" if count > 1 else "One from this week's walk"
        site.post(made["priya"], text, **{"media_ids[]": media})  # type: ignore[arg-type]
    hidden = site.upload(made["priya"], photo(5), "A gull eating a fish")
    site.post(
        made["priya"],
        "Lunch at the pier, not for everyone",
        **{"media_ids[]": [hidden], "sensitive": "true"},  # type: ignore[dict-item]
    )
    return made


def attach(page: Page, files: list[Path], descriptions: list[str]) -> None:
    compose = page.locator("form#compose")
    compose.locator("details.compose-media summary").click()
    for n, description in enumerate(descriptions):
        slot = compose.locator(f".media-slot[data-slot='{n}']")
        expect(slot).to_be_visible()  # the next slot shows once the one above is filled
        slot.locator("input[type=file]").set_input_files(files[n])
        expect(slot.locator("img.media-preview")).to_be_visible()
        if description:
            slot.locator("textarea").fill(description)


def test_compose_with_pictures_asks_about_missing_descriptions(
    site: Site, tokens: dict[str, str], files: list[Path]
) -> None:
    maya = site.person("maya")
    maya.goto("/home")
    compose = maya.locator("form#compose")
    compose.locator("textarea[name=status]").fill("Two from the marsh this morning")
    attach(maya, files, ["A grey heron standing in the reeds", ""])
    expect(compose.locator("#compose-media-warning-0")).to_be_hidden()
    expect(compose.locator("#compose-media-warning-1")).to_be_visible()
    expect(compose.locator(".media-slot[data-slot='2']")).to_be_visible()
    expect(compose.locator(".media-slot[data-slot='3']")).to_be_hidden()

    def with_pictures(page: Page) -> None:
        page.locator("form#compose textarea[name=status]").fill("Two from the marsh")
        attach(page, files, ["A grey heron standing in the reeds", ""])

    site.shoot(maya, "compose-images", path="/home", prepare=with_pictures)
    shot_exists("compose-images")

    submit = compose.locator("button[type=submit]")
    submit.click()  # asked once more: image 2 has no description
    expect(compose.locator(".alt-confirm")).to_contain_text("Image 2 has no description")
    expect(submit).to_have_text("Post anyway")
    expect(maya.locator("#timeline article.post", has_text="Two from the marsh")).to_have_count(0)
    submit.click()
    posted = maya.locator("#timeline article.post", has_text="Two from the marsh").first
    expect(posted.locator(".media-grid.count-2 a.media-item")).to_have_count(2)
    expect(posted.locator("img").nth(1)).to_have_attribute(
        "alt", "A grey heron standing in the reeds"
    )
    expect(posted.locator(".media-item img").nth(1)).to_have_attribute(
        "alt", "A picture without a description"
    )
    expect(compose.locator(".media-slot[data-slot='1']")).to_be_hidden()  # emptied
    expect(submit).to_have_text("Post")

    # Described at once: no question asked.
    compose.locator("textarea[name=status]").fill("And the sky after")
    attach(maya, files[2:], ["Clouds over the water"])
    submit.click()
    after = maya.locator("#timeline article.post", has_text="And the sky after").first
    expect(after.locator(".media-grid.count-1 img")).to_have_attribute(
        "alt", "Clouds over the water"
    )


def test_grid_viewer_and_sensitive_pictures(site: Site, tokens: dict[str, str]) -> None:
    maya = site.person("maya")
    maya.goto("/home")
    four = maya.locator("#timeline article.post", has_text="4 from this week").first
    expect(four.locator(".media-grid.count-4 img")).to_have_count(4)
    expect(maya.locator(".media-grid.count-3 img")).to_have_count(3)
    site.shoot(maya, "post-images", path="/home", scroll_to="article.post:has(.media-grid.count-4)")
    shot_exists("post-images")

    # The viewer: opened by keyboard, moved with the arrows, closed with Escape.
    first = four.locator("a.media-item").first
    first.focus()
    maya.keyboard.press("Enter")
    viewer = maya.locator("dialog#media-viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("figcaption")).to_have_text("Dunes at dawn")
    expect(viewer.locator(".viewer-count")).to_have_text("1 of 4")
    expect(viewer.locator("img")).to_have_attribute("alt", "Dunes at dawn")
    maya.keyboard.press("ArrowRight")
    expect(viewer.locator("figcaption")).to_have_text("Harbour wall")

    def open_viewer(page: Page) -> None:
        grid = page.locator("article.post", has_text="4 from this week").first
        grid.locator("a.media-item").nth(1).click()
        expect(page.locator("dialog#media-viewer img")).to_have_js_property("complete", True)

    site.shoot(maya, "media-viewer", path="/home", prepare=open_viewer)
    shot_exists("media-viewer")
    maya.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert first.evaluate("node => node === document.activeElement")  # focus came back

    # Sensitive: the blurhash cover until "Show".
    lunch = maya.locator("#timeline article.post", has_text="Lunch at the pier").first
    cover = lunch.locator("details.media-sensitive")
    blur = re.compile(r"^data:image/png;base64,")
    expect(cover.locator("img.media-blur")).to_have_attribute("src", blur)
    expect(cover.locator(".media-item img")).to_be_hidden()
    expect(cover.locator("summary .media-show-button").first).to_have_text("Show")
    covered = "article.post:has(details.media-sensitive)"
    site.shoot(maya, "sensitive-media", path="/home", scroll_to=covered)
    shot_exists("sensitive-media")
    cover.locator("summary").click()
    expect(cover.locator(".media-item img")).to_be_visible()
    expect(cover.locator(".media-item img")).to_have_attribute("alt", "A gull eating a fish")
    expect(cover.locator("summary .when-open")).to_have_text("Hide")
    expect(cover.locator("summary .when-open")).to_be_visible()
    expect(cover.locator("summary .when-closed")).to_be_hidden()
