"""Animated GIFs as Mastodon shows them: ``gifv``, a silent looping H.264 MP4.

Pure, like ``processing.py``: bytes in, bytes out, meant for the processing pool. Pillow
decodes the frames (the same content check and size limits as every picture, in
``open_image``), each composited over white as browsers show it; PyAV (FFmpeg's libx264)
encodes them at their own durations (a GIF's frames need not be evenly timed) into an MP4
with no audio track, ``+faststart`` so it plays while loading. Limits:

- the GIF's frames: at most ``MAX_FRAMES``, and at most ``MAX_DECODED_PIXELS`` decoded in
  all (frames x width x height), so a long animation cannot keep a worker for minutes;
- the MP4: shrunk to at most ``MAX_PIXELS`` (1920x1080's area), even sides (yuv420p);
- frame delays under 20 ms are shown as 100 ms, as browsers do, so at most 50 fps.

The preview is the first frame, as a still (JPEG) with its blurhash.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from PIL import Image

from roost.media.processing import (
    SMALL_PIXELS,
    RejectedMedia,
    Variant,
    blurhash_of,
    encode_preview,
    shrink,
)

MAX_FRAMES = 1_000
MAX_DECODED_PIXELS = 500_000_000
MAX_PIXELS = 1920 * 1080
MAX_FPS = 50
SHORTEST_DELAY_MS = 20
BROWSER_DELAY_MS = 100  # what browsers show a delay shorter than the shortest as
TIME_BASE = Fraction(1, 1000)  # frame times in milliseconds
CRF = "23"


@dataclass(frozen=True)
class Gifv:
    video: Variant  # video/mp4
    small: Variant  # the first frame
    blurhash: str
    frames: int
    duration: float  # seconds

    def meta(self) -> dict[str, Any]:
        """The MediaAttachment ``meta`` of a gifv, as Mastodon writes it."""
        width, height = self.video.width, self.video.height
        rate = Fraction(self.frames) / Fraction(self.duration).limit_denominator(1000)
        return {
            "length": _length(self.duration),
            "duration": round(self.duration, 3),
            "fps": round(float(rate)),
            "size": f"{width}x{height}",
            "width": width,
            "height": height,
            "aspect": round(width / height, 6),
            "original": {
                "width": width,
                "height": height,
                "frame_rate": f"{rate.numerator}/{rate.denominator}",
                "duration": round(self.duration, 3),
                "bitrate": round(len(self.video.data) * 8 / self.duration),
            },
            "small": self.small.meta(),
        }


def _length(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, rest = divmod(rest, 60)
    return f"{int(hours)}:{int(minutes):02d}:{rest:05.2f}"


def video_size(width: int, height: int) -> tuple[int, int]:
    """At most ``MAX_PIXELS``, aspect kept, both sides even (and at least 2)."""
    scale = min(1.0, math.sqrt(MAX_PIXELS / (width * height)))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def over_white(frame: Image.Image) -> Image.Image:
    """The frame as shown on a page: transparent pixels over white, plain RGB."""
    rgba = frame.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def delay_of(frame: Image.Image) -> int:
    delay = int(frame.info.get("duration") or 0)
    return delay if delay >= SHORTEST_DELAY_MS else BROWSER_DELAY_MS


def transcode(image: Image.Image) -> Gifv:
    """An animated GIF, opened and checked by ``processing.open_image``, as a gifv."""
    width, height = image.size
    out_width, out_height = video_size(width, height)
    handle, path = tempfile.mkstemp(suffix=".mp4")  # faststart rewrites the file
    os.close(handle)
    try:
        first, frames, elapsed = _encode(image, path, out_width, out_height)
        with open(path, "rb") as encoded:
            data = encoded.read()
    finally:
        os.unlink(path)
    small_image = shrink(first, SMALL_PIXELS)
    return Gifv(
        video=Variant(data, "video/mp4", "mp4", out_width, out_height),
        small=encode_preview(small_image),
        blurhash=blurhash_of(small_image),
        frames=frames,
        duration=elapsed / 1000,
    )


def _encode(image: Image.Image, path: str, width: int, height: int) -> tuple[Image.Image, int, int]:
    """Every frame into ``path``; returns the first frame, the count and the duration."""
    budget = MAX_DECODED_PIXELS // (image.size[0] * image.size[1])
    first: Image.Image | None = None
    frames = elapsed = 0
    with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as mp4:
        stream = mp4.add_stream("libx264")
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = TIME_BASE
        stream.codec_context.options = {"crf": CRF, "preset": "faster", "threads": "1"}
        while True:
            frames += 1
            if frames > min(MAX_FRAMES, budget):
                raise RejectedMedia(
                    f"The animation has too many frames for its size (at most {MAX_FRAMES},"
                    f" and {MAX_DECODED_PIXELS:,} pixels in all)"
                )
            try:
                still = over_white(image)
            except (OSError, SyntaxError, ValueError) as error:
                raise RejectedMedia("The animation is damaged or incomplete") from error
            first = first or still
            frame = av.VideoFrame.from_image(still).reformat(width, height, "yuv420p")
            frame.pts, frame.time_base = elapsed, TIME_BASE
            mp4.mux(stream.encode(frame))
            elapsed += delay_of(image)
            try:
                image.seek(image.tell() + 1)
            except EOFError:
                break
            except (OSError, SyntaxError, ValueError) as error:
                raise RejectedMedia("The animation is damaged or incomplete") from error
        mp4.mux(stream.encode(None))
    assert first is not None
    return first, frames, elapsed
