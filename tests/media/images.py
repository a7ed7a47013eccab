"""Files to upload, made here: good pictures, a photo full of metadata, animated GIFs,
and the bad ones (text, truncated, a decompression bomb, 30000x30000 headers)."""

from __future__ import annotations

import struct
import zlib
from functools import cache
from io import BytesIO

from PIL import Image, ImageCms, ImageDraw

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS = {1: "N", 2: (52.0, 22.0, 15.5), 3: "E", 4: (4.0, 53.0, 12.25)}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="52,22.25N"/></rdf:RDF></x:xmpmeta>'
)
# What a stored file must never contain of the upload's metadata.
TRACES = (b"Exif\x00\x00", b"RoostCam", b"secret comment", b"ns.adobe.com", b"ICC_PROFILE")


def picture(fmt: str = "PNG", size: tuple[int, int] = (64, 48), color: tuple = RED) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def photo_with_metadata() -> bytes:
    """A 200x100 JPEG, red left half and blue right half, whose EXIF says "turn me 90
    degrees clockwise" (orientation 6) and where it was taken (GPS), with an ICC profile,
    XMP (GPS again) and a comment."""
    image = Image.new("RGB", (200, 100), RED)
    image.paste(BLUE, (100, 0, 200, 100))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "RoostCam"  # Make
    exif[0x8825] = GPS  # the GPS IFD
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=icc, comment=b"secret comment", xmp=XMP)
    return out.getvalue()


def animated_gif(frames: int = 12, size: tuple[int, int] = (121, 81), delay: int = 40) -> bytes:
    """A square moving across, ``delay`` ms a frame (odd sides: the MP4 needs even)."""
    images = []
    for number in range(frames):
        image = Image.new("RGB", size, (255, 255, 255))
        x = number * (size[0] - 20) // max(1, frames - 1)
        ImageDraw.Draw(image).rectangle([x, 20, x + 20, 40], fill=RED)
        images.append(image.convert("P"))
    out = BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=delay, loop=0)
    return out.getvalue()


def still_gif() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), BLUE).convert("P").save(out, "GIF")
    return out.getvalue()


def text_named_png() -> bytes:
    return b"This is a shopping list, not a picture: eggs, milk, bread.\n" * 20


def truncated_png() -> bytes:
    out = BytesIO()
    Image.effect_noise((300, 300), 64).convert("RGB").save(out, "PNG")
    whole = out.getvalue()
    return whole[: len(whole) // 2]


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@cache  # a second to make: once a session
def png_bomb(side: int = 30_000) -> bytes:
    """A complete, valid 1-bit PNG of ``side`` x ``side`` pixels (900 million at 30000),
    about 110 KB: every row zero, which zlib squeezes ~1000 to 1."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte, then the row's bits
    squeeze = zlib.compressobj(9)
    idat = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


def huge_gif(side: int = 30_000) -> bytes:
    """A GIF whose screen is ``side`` x ``side`` (a tiny frame inside it)."""
    data = bytearray(still_gif())
    data[6:10] = struct.pack("<HH", side, side)
    return bytes(data)


def huge_jpeg(side: int = 30_000) -> bytes:
    """A JPEG whose frame header says ``side`` x ``side``."""
    data = bytearray(picture("JPEG"))
    at = data.index(b"\xff\xc0")  # SOF0: length (2), precision (1), height, width
    data[at + 5 : at + 9] = struct.pack(">HH", side, side)
    return bytes(data)


def noise(size: tuple[int, int] = (300, 200), fmt: str = "PNG") -> bytes:
    """A picture that does not compress: its size in bytes grows with its pixels."""
    out = BytesIO()
    Image.merge("RGB", [Image.effect_noise(size, 80) for _ in range(3)]).save(out, fmt)
    return out.getvalue()
