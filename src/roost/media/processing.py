"""Turning an uploaded picture into the files Roost keeps.

Pure functions from bytes to bytes: no I/O, no event loop. They are meant to run in a
worker process with time and memory limits, never on the event loop. Every picture is:

1. identified by its content (Pillow's decoders for JPEG, PNG, WebP and GIF only; the
   file's name and the client's Content-Type are not believed);
2. refused when its header declares more than ``MAX_PIXELS`` pixels or a side longer
   than ``MAX_SIDE`` (a decompression bomb is refused before any pixel is decoded), or
   when it does not decode to the end (truncated);
3. turned upright by its EXIF orientation, then copied pixel by pixel into a fresh image,
   so nothing of the upload's metadata (EXIF with GPS, XMP, ICC, comments) survives;
4. shrunk to at most ``ORIGINAL_PIXELS`` (the stored original) and ``SMALL_PIXELS`` (the
   preview), keeping its aspect, with a blurhash of the preview.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import blurhash
from PIL import Image, ImageOps, UnidentifiedImageError

# What an upload may be, by Pillow's format name: (MIME type, extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
MAX_PIXELS = 7680 * 4320  # Mastodon's image matrix limit (33,177,600)
MAX_SIDE = 16_384
ORIGINAL_PIXELS = 3840 * 2160  # the stored original is shrunk to this many pixels
SMALL_PIXELS = 640 * 360  # the preview
AVATAR_SIZE = (400, 400)
HEADER_SIZE = (1500, 500)
JPEG_QUALITY = 85

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class RejectedMedia(ValueError):
    """The upload is not a picture Roost accepts; the message says why, for the person."""


@dataclass(frozen=True)
class Variant:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int

    def meta(self) -> dict[str, Any]:
        """This variant's part of the MediaAttachment ``meta``."""
        return {
            "width": self.width,
            "height": self.height,
            "size": f"{self.width}x{self.height}",
            "aspect": round(self.width / self.height, 6),
        }


@dataclass(frozen=True)
class ProcessedImage:
    original: Variant
    small: Variant
    blurhash: str
    animated: bool  # an animated GIF (the still here is its first frame)


def open_image(data: bytes) -> Image.Image:
    """Decode an upload, refusing what is not a whole, reasonably sized picture."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=list(FORMATS))
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
                raise RejectedMedia(
                    f"The image is {width}x{height}; at most {MAX_PIXELS:,} pixels"
                    f" and {MAX_SIDE} on a side are accepted"
                )
            image.load()
    except RejectedMedia:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise RejectedMedia("The image declares too many pixels") from error
    except UnidentifiedImageError as error:
        raise RejectedMedia("The file is not a JPEG, PNG, WebP or GIF image") from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise RejectedMedia("The image is damaged or incomplete") from error
    if width == 0 or height == 0:
        raise RejectedMedia("The image is empty")
    return image


def clean_copy(image: Image.Image) -> Image.Image:
    """The picture upright, as plain pixels in a fresh image: no metadata comes along."""
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    pixels = upright.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())


def shrink(image: Image.Image, max_pixels: int) -> Image.Image:
    width, height = image.size
    if width * height <= max_pixels:
        return image
    scale = math.sqrt(max_pixels / (width * height))
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Cropped to fill ``size`` (centered), as avatars and headers are shown."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def encode(image: Image.Image, *, source_format: str) -> Variant:
    """PNG, WebP and JPEG stay what they were (a still GIF becomes PNG); a PNG without
    transparency stays PNG too, so screenshots keep their sharp edges."""
    if source_format == "JPEG" and image.mode == "RGB":
        pillow_format, options = "JPEG", {"quality": JPEG_QUALITY, "optimize": True}
    elif source_format == "WEBP":
        pillow_format, options = "WEBP", {"quality": JPEG_QUALITY}
    else:
        pillow_format, options = "PNG", {"optimize": True}
    out = BytesIO()
    image.save(out, pillow_format, **options)
    content_type, extension = FORMATS[pillow_format]
    return Variant(out.getvalue(), content_type, extension, *image.size)


def encode_preview(image: Image.Image) -> Variant:
    """Previews are JPEG (PNG where there is transparency to keep): small and universal."""
    return encode(image, source_format="JPEG" if image.mode == "RGB" else "PNG")


def process_image(data: bytes) -> ProcessedImage:
    """An attachment: the cleaned original (shrunk if huge), its preview and blurhash."""
    image = open_image(data)
    source_format = image.format or "PNG"
    animated = bool(getattr(image, "is_animated", False))
    clean = clean_copy(image)
    original = encode(shrink(clean, ORIGINAL_PIXELS), source_format=source_format)
    small_image = shrink(clean, SMALL_PIXELS)
    small = encode_preview(small_image)
    return ProcessedImage(original, small, blurhash_of(small_image), animated)


def process_profile_image(data: bytes, *, size: tuple[int, int]) -> Variant:
    """An avatar (``AVATAR_SIZE``) or header (``HEADER_SIZE``): cleaned and cropped."""
    image = open_image(data)
    return encode(cover(clean_copy(image), size), source_format=image.format or "PNG")


def blurhash_of(image: Image.Image) -> str:
    """4x3 components, as Mastodon computes them."""
    hash_input = image.convert("RGB")
    hash_input.thumbnail((100, 100))
    return str(blurhash.encode(hash_input, x_components=4, y_components=3))
