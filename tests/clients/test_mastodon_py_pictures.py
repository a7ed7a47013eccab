"""Mastodon.py against a live Roost: avatars and headers (upload, the stored files,
removal, refusals, generated PNGs) and a link card from a page served on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import httpx
import pytest
from mastodon import MastodonAPIError

from tests.cards.pages import Site, serving
from tests.clients.helpers import SignUp, eventually
from tests.pictures import has_metadata, opened, picture

# Cards on, and the site below reachable (loopback is refused by default).


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Link cards on, fetching the pages this module serves on loopback."""
    return {"ROOST_PREVIEW_CARDS": "true", "ROOST_PREVIEW_ALLOW_LOOPBACK": "true"}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serving() as running:
        yield running


def download(url: str) -> httpx.Response:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, url
    return response


def test_avatar_and_header_through_update_credentials(sign_up: SignUp) -> None:
    olga = sign_up("olga")
    generated = olga.api.account_verify_credentials()
    avatar = download(generated.avatar)
    assert avatar.headers["content-type"] == "image/png"  # a PNG every app can show
    assert opened(avatar.content).size == (400, 400)
    assert download(generated.header).headers["content-type"] == "image/png"

    updated = olga.api.account_update_credentials(
        avatar=BytesIO(picture((1000, 700), gps=True)),
        avatar_mime_type="image/jpeg",
        header=BytesIO(picture((2000, 900), format="PNG")),
        header_mime_type="image/png",
    )
    assert updated.avatar != generated.avatar and updated.avatar_static == updated.avatar
    stored = download(updated.avatar)
    assert stored.headers["content-type"] == "image/jpeg"
    assert stored.headers["x-content-type-options"] == "nosniff"
    assert opened(stored.content).size == (400, 400)
    assert not has_metadata(stored.content)  # no GPS position, no camera
    header = download(updated.header)
    assert header.headers["content-type"] == "image/png"
    assert opened(header.content).size == (1500, 500)
    assert olga.api.account(olga.id).avatar == updated.avatar
    assert olga.api.status_post("new face").account.avatar == updated.avatar

    without_avatar = olga.api.account_delete_avatar()
    assert without_avatar.avatar == generated.avatar
    assert without_avatar.header == updated.header
    assert httpx.get(updated.avatar, timeout=10).status_code == 404  # the file is gone
    assert olga.api.account_delete_header().header == generated.header


def test_a_bad_picture_is_refused_and_changes_nothing(sign_up: SignUp) -> None:
    piet = sign_up("piet")
    before = piet.api.account_verify_credentials()
    with pytest.raises(MastodonAPIError) as refused:
        piet.api.account_update_credentials(
            display_name="Not saved",
            avatar=BytesIO(b"plain text, named as a picture"),
            avatar_mime_type="image/png",
        )
    assert refused.value.args[1] == 422
    assert "not a JPEG, PNG, WebP or GIF" in str(refused.value)
    after = piet.api.account_verify_credentials()
    assert (after.display_name, after.avatar) == (before.display_name, before.avatar)


def test_a_link_gets_a_card_and_trends(sign_up: SignUp, site: Site) -> None:
    quinn, rosa = sign_up("quinn"), sign_up("rosa")
    posted = quinn.api.status_post(f"Birds at dawn: {site.url('/article')}")
    rosa.api.status_post(f"Seen this? {site.url('/article')}")
    status = eventually(lambda: rosa.api.status(posted.id), lambda s: s.card is not None)
    card = status.card
    assert card.title == "Goldcrests & firecrests in the park"
    assert card.provider_name == "Bird Notes"
    assert card.image_description == "A goldcrest on a spruce twig"
    picture_file = download(card.image)
    assert opened(picture_file.content).size == (card.width, card.height)
    assert not has_metadata(picture_file.content)
    links = eventually(quinn.api.trending_links, lambda found: len(found) == 1)
    assert [link.url for link in links] == [site.url("/article")]
    assert int(links[0].history[0].accounts) == 2
