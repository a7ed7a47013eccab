"""Generated pictures: an identicon-style avatar per account and a default header.

The avatar is a pure function of the account id and its initial: a gradient in
two hues taken from a hash of the id, a mirrored 5x5 pattern, and the letter.
"""

from __future__ import annotations

import hashlib
from html import escape

GRID = 5
CELL = 24
SIZE = GRID * CELL


def avatar_svg(account_id: int, initial: str) -> str:
    digest = hashlib.sha256(f"roost-avatar:{account_id}".encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    second = (hue + 25 + digest[2] % 50) % 360
    cells = []
    for row in range(GRID):
        for column in range((GRID + 1) // 2):
            if digest[3 + row * 3 + column] % 2:
                for x in {column, GRID - 1 - column}:
                    cells.append(
                        f'<rect x="{x * CELL + 2}" y="{row * CELL + 2}" width="{CELL - 4}" '
                        f'height="{CELL - 4}" rx="5"/>'
                    )
    letter = escape(initial[:1].upper() or "?")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="{letter}">'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="hsl({hue},62%,56%)"/>'
        f'<stop offset="1" stop-color="hsl({second},58%,40%)"/>'
        "</linearGradient></defs>"
        f'<rect width="{SIZE}" height="{SIZE}" fill="url(#g)"/>'
        f'<g fill="#fff" fill-opacity="0.14">{"".join(cells)}</g>'
        f'<text x="50%" y="50%" dy=".35em" text-anchor="middle" fill="#fff" '
        'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" '
        f'font-size="60" font-weight="600">{letter}</text>'
        "</svg>"
    )


HEADER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1500 500" width="1500" height="500">'
    '<defs><linearGradient id="h" x1="0" y1="0" x2="1" y2="1">'
    '<stop offset="0" stop-color="#5b74e0"/><stop offset="1" stop-color="#2c3a7a"/>'
    "</linearGradient></defs>"
    '<rect width="1500" height="500" fill="url(#h)"/>'
    '<path d="M0 360 C 300 300 520 430 820 370 S 1300 300 1500 350 V 500 H 0 Z" '
    'fill="#fff" fill-opacity="0.08"/>'
    '<path d="M0 420 C 260 380 560 470 900 430 S 1320 390 1500 420 V 500 H 0 Z" '
    'fill="#fff" fill-opacity="0.08"/>'
    "</svg>"
)
