"""Animated GIFs become gifv, as Mastodon shows them: a silent H.264 MP4 and a still."""

from __future__ import annotations

from io import BytesIO

import av
import httpx
import pytest
from PIL import Image

from roost.media import gifv
from roost.media.processing import RejectedMedia
from tests.factories import Factory
from tests.media import images
from tests.media.conftest import MediaApp, upload


async def test_an_animated_gif_becomes_a_silent_mp4(media_app: MediaApp) -> None:
    alice = await media_app.factory.user("alice")
    gif = images.animated_gif(frames=12, size=(121, 81), delay=40)
    response = await upload(media_app.client, alice, gif, name="dance.gif", mime="image/gif")
    assert response.status_code == 200, response.text
    media = response.json()
    assert media["type"] == "gifv"
    assert media["url"].endswith(".mp4") and media["preview_url"].endswith(".jpg")
    meta = media["meta"]
    assert (meta["width"], meta["height"], meta["size"]) == (120, 80, "120x80")  # even sides
    assert meta["duration"] == 0.48 and meta["length"] == "0:00:00.48"
    assert meta["fps"] == 25 and meta["original"]["frame_rate"] == "25/1"
    assert meta["original"]["duration"] == 0.48 and meta["original"]["bitrate"] > 0
    assert meta["small"]["size"] == "121x81"  # the first frame, as it was
    assert media["blurhash"]

    stored = {key.rsplit(".", 1)[1]: media_app.read(key) for key in media_app.stored()}
    assert sorted(stored) == ["jpg", "mp4"]
    with av.open(BytesIO(stored["mp4"])) as video:
        assert [s.type for s in video.streams] == ["video"]  # no audio track
        stream = video.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (120, 80)
        frames = list(video.decode(stream))
        assert len(frames) == 12
        # The square moves: the first frame has it at the left, the last at the right.
        first, last = frames[0].to_image(), frames[-1].to_image()
        assert first.getpixel((10, 30))[0] > 150 and first.getpixel((10, 30))[1] < 100
        assert last.getpixel((110, 30))[0] > 150 and last.getpixel((110, 30))[1] < 100
    preview = Image.open(BytesIO(stored["jpg"]))
    assert preview.getpixel((10, 30))[1] < 100  # the first frame: the square at the left


async def test_a_single_frame_gif_stays_an_image(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await upload(client, alice, images.still_gif(), name="dot.gif", mime="image/gif")
    assert response.status_code == 200
    assert response.json()["type"] == "image"
    assert response.json()["url"].endswith(".png")


def test_too_many_frames_for_their_size_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gifv, "MAX_DECODED_PIXELS", 121 * 81 * 5)
    image = Image.open(BytesIO(images.animated_gif(frames=6)))
    with pytest.raises(RejectedMedia, match="too many frames"):
        gifv.transcode(image)


def test_video_sides_are_even_and_bounded() -> None:
    assert gifv.video_size(121, 81) == (120, 80)
    assert gifv.video_size(1, 1) == (2, 2)
    width, height = gifv.video_size(4000, 3000)
    assert width * height <= gifv.MAX_PIXELS and width % 2 == height % 2 == 0
    assert abs(width / height - 4 / 3) < 0.01
