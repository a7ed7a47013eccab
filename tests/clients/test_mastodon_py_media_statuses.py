"""Mastodon.py, unchanged from PyPI, posting, editing and deleting posts with pictures
on a live server.

The pictures are uploaded with Mastodon.py's own ``media_post``."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from mastodon import MastodonAPIError

from tests.clients.helpers import Person, SignUp, eventually
from tests.media_files import picture

Upload = Callable[..., str]  # (person, size=40, description=None) -> media id


@pytest.fixture(scope="module")
def upload() -> Upload:
    def make(person: Person, size: int = 40, description: str | None = None) -> str:
        data = picture(size, size * 3 // 4, (size % 256, 120, 60))
        media = person.api.media_post(data, mime_type="image/png", description=description)
        return str(media.id)

    return make


def test_status_post_with_media_ids_edit_history_and_delete(
    sign_up: SignUp, upload: Upload
) -> None:
    alice, bob = sign_up("picalice"), sign_up("picbob")
    wren, gull = upload(alice, 40, "A wren on a fence"), upload(alice, 60)
    status = alice.api.status_post("Two birds", media_ids=[wren, gull], sensitive=True)
    assert [str(m.id) for m in status.media_attachments] == [wren, gull]
    first = status.media_attachments[0]
    assert first.type == "image" and first.description == "A wren on a fence"
    assert first.meta.original.width == 40 and first.meta.original.height == 30
    assert first.blurhash and status.sensitive is True
    picture_file = httpx.get(first.url)
    assert picture_file.status_code == 200 and picture_file.headers["content-type"] == "image/png"
    assert str(bob.api.status(status.id).media_attachments[1].id) == gull

    # Edit: keep the gull with a description, drop the wren (Mastodon.py sends the
    # media_ids of the attributes it is given).
    described = alice.api.generate_media_edit_attributes(gull, description="A gull, calling")
    edited = alice.api.status_update(status.id, "One bird now", media_attributes=[described])
    assert [(str(m.id), m.description) for m in edited.media_attachments] == [
        (gull, "A gull, calling")
    ]
    history = alice.api.status_history(status.id)
    assert [[str(m.id) for m in v.media_attachments] for v in history] == [[wren, gull], [gull]]

    deleted = alice.api.status_delete(status.id, delete_media=True)
    assert [str(m.id) for m in deleted.media_attachments] == [gull]
    url = edited.media_attachments[0].url
    gone = eventually(lambda: httpx.get(url).status_code, lambda code: code == 404)
    assert gone == 404


def test_media_ids_that_cannot_be_taken(sign_up: SignUp, upload: Upload) -> None:
    alice, bob = sign_up("badalice"), sign_up("badbob")
    five = [upload(alice, 20 + n) for n in range(5)]
    with pytest.raises(MastodonAPIError, match="at most 4"):
        alice.api.status_post("too many", media_ids=five)
    with pytest.raises(MastodonAPIError, match="was not found"):
        alice.api.status_post("not mine", media_ids=[upload(bob)])
    posted = alice.api.status_post("", media_ids=five[:4])  # no text: the pictures speak
    assert len(posted.media_attachments) == 4 and posted.content == ""
    with pytest.raises(MastodonAPIError, match="already attached"):
        alice.api.status_post("again", media_ids=[five[0]])
