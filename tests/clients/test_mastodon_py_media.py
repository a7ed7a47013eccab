"""Mastodon.py, unchanged from PyPI, uploading media to a live server (local disk)."""

from __future__ import annotations

from tests.clients import media_steps
from tests.clients.helpers import SignUp


def test_media_post_update_and_read_back(sign_up: SignUp, live_server: str) -> None:
    url = media_steps.upload_describe_and_read_back(sign_up("mediaalice"), sign_up("mediabob"))
    assert url.startswith(f"{live_server}/system/media_attachments/")


def test_a_large_upload_and_a_gif(sign_up: SignUp, live_server: str) -> None:
    alice = sign_up("mediacarol")
    assert media_steps.large_upload_is_processed_later(alice).startswith(f"{live_server}/system/")
    media_steps.animated_gif_becomes_gifv(alice)
    media_steps.bad_file_is_refused(alice)
