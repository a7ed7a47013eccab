"""Generated pictures, as PNG: the default avatar (a letter on a colour) and header.

Every app can show a PNG (Tusky's image stack has no SVG decoder). The avatar of an
account without one of its own is a pure function of two things: the first letter of its
username and a colour picked from ``PALETTE`` by a hash of its id. So there are at most
``len(PALETTE) * len(LETTERS)`` different pictures, each addressed by what makes it
(``/avatars/<DESIGN>/<colour>-<letter>.png``): the address changes whenever the picture
could, so it is cached for good, and each picture is drawn once per process (then kept
in ``_avatar_png``'s small cache), off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from typing import Any

from PIL import Image, ImageDraw, ImageFont

# Bump when the drawing changes: every address changes with it.
DESIGN = "v1"
SIZE = 400
HEADER_SIZE = (1500, 500)
# Deep colours: white text on each has a contrast of at least 4.5:1 (WCAG AA).
PALETTE = (
    (0x1F, 0x4E, 0x8C),  # blue
    (0x6B, 0x3F, 0xA0),  # violet
    (0x9C, 0x27, 0x5A),  # plum
    (0xB0, 0x3A, 0x2E),  # brick
    (0x8A, 0x4B, 0x08),  # ochre
    (0x2E, 0x6B, 0x30),  # green
    (0x0F, 0x6E, 0x6E),  # teal
    (0x37, 0x47, 0x4F),  # slate
    (0x5D, 0x40, 0x37),  # brown
    (0x4A, 0x3A, 0x8C),  # indigo
    (0x86, 0x2E, 0x9C),  # purple
    (0x1B, 0x5E, 0x20),  # forest
)
# What a username may start with (accounts/validation.py: letters, digits, underscore).
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
HEADER_COLOURS = ((0x3B, 0x55, 0xC4), (0x1E, 0x2A, 0x5E))


def colour_of(account_id: int) -> int:
    """The palette index of an account's generated avatar: stable for its life."""
    digest = hashlib.sha256(f"roost-avatar:{account_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % len(PALETTE)


def letter_of(username: str) -> str:
    letter = username[:1].upper()
    return letter if letter in LETTERS else "_"


def generated_avatar_path(account_id: int, username: str) -> str:
    """The address (a path) of the account's generated avatar."""
    return f"/avatars/{DESIGN}/{colour_of(account_id)}-{letter_of(username)}.png"


def known_avatar(colour: int, letter: str) -> bool:
    return 0 <= colour < len(PALETTE) and letter in LETTERS


@lru_cache(maxsize=len(PALETTE) * len(LETTERS))
def avatar_png(colour: int, letter: str) -> bytes:
    """The picture itself (pure, slow the first time: call it off the event loop)."""
    image = Image.new("RGB", (SIZE, SIZE), PALETTE[colour])
    font = ImageFont.load_default(size=SIZE // 2)
    ImageDraw.Draw(image).text(
        (SIZE / 2, SIZE / 2), letter, font=font, fill=(255, 255, 255), anchor="mm"
    )
    return _png(image)


@lru_cache(maxsize=1)
def header_png() -> bytes:
    """The default header: a diagonal gradient between two blues."""
    width, height = HEADER_SIZE[0] // 10, HEADER_SIZE[1] // 10
    mask = Image.new("L", (width, height))
    span = width + height - 2
    mask.putdata([255 * (x + y) // span for y in range(height) for x in range(width)])
    start, end = (Image.new("RGB", mask.size, colour) for colour in HEADER_COLOURS)
    small = Image.composite(end, start, mask)
    return _png(small.resize(HEADER_SIZE, Image.Resampling.BICUBIC))


async def drawn(picture: Callable[..., bytes], *args: Any) -> bytes:
    """``avatar_png`` or ``header_png``, drawn off the event loop the first time."""
    return await asyncio.to_thread(picture, *args)


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
