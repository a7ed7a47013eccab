"""A card's picture, made from what its page names: a pure function, run in the media
processing pool (``runtime.processing``) like every other picture Roost keeps."""

from __future__ import annotations

from dataclasses import dataclass

from roost.media.processing import (
    SMALL_PIXELS,
    Variant,
    blurhash_of,
    clean_copy,
    encode_preview,
    open_image,
    shrink,
)


@dataclass(frozen=True)
class CardImage:
    variant: Variant
    blurhash: str


def process_card_image(data: bytes) -> CardImage:
    """Checked by content, upright, without metadata, shrunk to a preview's size
    (``SMALL_PIXELS``), as JPEG (PNG where there is transparency); raises RejectedMedia."""
    small = shrink(clean_copy(open_image(data)), SMALL_PIXELS)
    return CardImage(encode_preview(small), blurhash_of(small))
