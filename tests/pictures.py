"""Pictures for tests: made with Pillow, with or without metadata, and read back."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

GPS_IFD = 0x8825
GPS_LATITUDE = 2


def picture(
    size: tuple[int, int] = (800, 600),
    *,
    format: str = "JPEG",
    colour: tuple[int, ...] = (200, 60, 40),
    gps: bool = False,
    mode: str = "RGB",
) -> bytes:
    """A one-colour picture; ``gps`` puts a GPS position and a camera name in its EXIF."""
    image = Image.new(mode, size, colour)
    options: dict[str, object] = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "Roost Test Camera"  # Make
        exif.get_ifd(GPS_IFD)[GPS_LATITUDE] = (55.0, 36.0, 21.0)
        options["exif"] = exif.tobytes()
    out = BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def has_metadata(data: bytes) -> bool:
    """Whether the file carries EXIF (GPS included), XMP, ICC or comments."""
    image = opened(data)
    exif = image.getexif()
    return bool(
        len(exif)
        or exif.get_ifd(GPS_IFD)
        or image.info.get("exif")
        or image.info.get("xmp")
        or image.info.get("icc_profile")
        or image.info.get("comment")
    )
