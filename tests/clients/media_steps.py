"""What the Mastodon.py media tests do, on the local disk and on S3 alike."""

from __future__ import annotations

from io import BytesIO

import httpx
import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError
from PIL import Image

from tests.clients.helpers import Person, eventually
from tests.media import images


def fetch(url: str) -> httpx.Response:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, (url, response.status_code)
    return response


def upload_describe_and_read_back(alice: Person, bob: Person) -> str:
    """Returns the URL of the stored original."""
    media = alice.api.media_post(
        BytesIO(images.photo_with_metadata()),
        mime_type="image/jpeg",
        file_name="IMG_0001.jpg",
        description="A red and blue flag",
        focus=(-0.5, 0.25),
    )
    assert media.type == "image" and media.url and media.preview_url  # small: done at once
    assert media.description == "A red and blue flag"
    assert (media.meta.focus.x, media.meta.focus.y) == (-0.5, 0.25)
    assert media.meta.original.size == "100x200" and media.blurhash

    original = fetch(media.url)
    assert original.headers["content-type"] == "image/jpeg"
    picture = Image.open(BytesIO(original.content))
    assert picture.size == (100, 200) and dict(picture.getexif()) == {}
    assert all(trace not in original.content for trace in images.TRACES)
    assert fetch(media.preview_url).content.startswith(b"\xff\xd8")

    updated = alice.api.media_update(media, description="The flag, upright", focus=(0.1, -0.2))
    assert updated.description == "The flag, upright"
    read = alice.api.media(media.id)
    assert read.description == "The flag, upright"
    assert (read.meta.focus.x, read.meta.focus.y) == (0.1, -0.2)
    assert read.url == media.url

    with pytest.raises(MastodonNotFoundError):
        bob.api.media(media.id)
    with pytest.raises(MastodonNotFoundError):
        bob.api.media_update(media.id, description="not yours")
    return str(media.url)


def large_upload_is_processed_later(alice: Person) -> str:
    """Larger than ROOST_MEDIA_ASYNC_ABOVE_BYTES (1 MiB): 202 with no URL, then done."""
    photo = images.noise((800, 600))
    assert len(photo) > 1024 * 1024
    media = alice.api.media_post(BytesIO(photo), mime_type="image/png", description="noise")
    assert media.url is None
    done = eventually(lambda: alice.api.media(media.id), lambda m: m.url is not None, 30)
    assert done.url is not None and done.meta.original.size == "800x600"
    assert fetch(done.url).content.startswith(b"\x89PNG")
    return str(done.url)


def animated_gif_becomes_gifv(alice: Person) -> None:
    media = alice.api.media_post(
        BytesIO(images.animated_gif()), mime_type="image/gif", description="A square, moving"
    )
    assert media.type == "gifv" and media.url.endswith(".mp4")
    assert fetch(media.url).headers["content-type"] == "video/mp4"


def bad_file_is_refused(alice: Person) -> None:
    with pytest.raises(MastodonAPIError, match="not a JPEG, PNG, WebP or GIF"):
        alice.api.media_post(BytesIO(images.text_named_png()), mime_type="image/png")
