"""Nothing of a photo's metadata is kept (EXIF with GPS, XMP, ICC, comments), in any
stored file, and the picture is stored the way up its EXIF said."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from tests.media import images
from tests.media.conftest import MediaApp, upload


async def test_gps_and_all_metadata_are_gone_and_the_photo_is_upright(
    media_app: MediaApp,
) -> None:
    alice = await media_app.factory.user("alice")
    photo = images.photo_with_metadata()
    assert all(trace in photo for trace in images.TRACES)  # the upload carries them all
    assert Image.open(BytesIO(photo)).getexif().get_ifd(0x8825) == images.GPS

    response = await upload(media_app.client, alice, photo, name="IMG_0001.jpg", mime="image/jpeg")
    assert response.status_code == 200, response.text
    media = response.json()
    assert media["meta"]["original"]["size"] == "100x200"  # turned: the EXIF said so

    stored = media_app.stored()
    assert len(stored) == 2  # the original and the preview, nothing else
    for key in stored:
        data = media_app.read(key)
        for trace in images.TRACES:
            assert trace not in data, (key, trace)
        picture = Image.open(BytesIO(data))
        assert picture.getexif().get_ifd(0x8825) == {}  # no GPS
        assert dict(picture.getexif()) == {}  # no EXIF at all (orientation included)
        for name in ("exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
            assert name not in picture.info, (key, name)
        width, height = picture.size
        assert height == 2 * width  # portrait, as the camera was held
        top, bottom = picture.getpixel((width // 2, 2)), picture.getpixel((width // 2, height - 3))
        assert top[0] > 150 > top[2]  # the red half went up (turned 90 degrees clockwise)
        assert bottom[2] > 150 > bottom[0]  # the blue half down
    # The files clients fetch are the same ones.
    for url in (media["url"], media["preview_url"]):
        assert url.rsplit("/", 1)[1] in " ".join(stored)
