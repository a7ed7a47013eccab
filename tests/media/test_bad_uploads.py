"""Every bad upload gets a 4xx JSON error, never a 500, and leaves no file behind, on the
local disk and on S3 alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from roost.media.limits import upload_body_limit
from tests.media import images
from tests.media.conftest import MediaApp, upload

BAD: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # name: (the file, its name, the error's words)
    "text named .png": (images.text_named_png, "cat.png", "not a JPEG, PNG, WebP or GIF"),
    "truncated PNG": (images.truncated_png, "cut.png", "damaged or incomplete"),
    "decompression bomb (30000x30000 PNG, 110 KB)": (images.png_bomb, "bomb.png", "too many"),
    "30000x30000 GIF": (images.huge_gif, "huge.gif", "too many"),
    "30000x30000 JPEG": (images.huge_jpeg, "huge.jpg", "too many"),
    "empty file": (lambda: b"", "empty.png", "can't be blank"),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_a_bad_file_is_refused_and_nothing_is_kept(media_app: MediaApp, case: str) -> None:
    make, name, words = BAD[case]
    alice = await media_app.factory.user("alice")
    response = await upload(media_app.client, alice, make(), name=name)
    assert response.status_code == 422, response.text
    assert words in response.json()["error"]
    assert media_app.stored() == []
    await media_app.runtime.jobs.drain()
    assert media_app.stored() == []
    # v1 goes the same way (it only never hands over to a job).
    again = await upload(media_app.client, alice, make(), name=name, version=1)
    assert again.status_code == 422 and again.json() == response.json()
    assert media_app.stored() == []


async def test_a_body_over_the_size_limit_is_refused_before_it_is_read(
    media_app: MediaApp,
) -> None:
    alice = await media_app.factory.user("alice")
    limit = upload_body_limit(media_app.runtime.settings)  # 16 MiB and the form's framing
    too_big = b"\xff\xd8\xff" + b"\x00" * limit
    response = await upload(media_app.client, alice, too_big, name="big.jpg", mime="image/jpeg")
    assert response.status_code == 413  # Content-Length said so: not a byte was read
    assert response.json()["error"] == f"Request body is larger than {limit} bytes"
    assert media_app.stored() == []


async def test_a_file_over_the_size_limit_is_refused_before_processing(
    media_app: MediaApp,
) -> None:
    media_app.runtime.settings.media_max_bytes = 50_000  # read per upload
    alice = await media_app.factory.user("alice")
    big = images.picture("BMP", size=(160, 120))  # 57,654 bytes, within the body limit
    response = await upload(media_app.client, alice, big, name="big.bmp", mime="image/bmp")
    assert response.status_code == 413
    assert response.json()["error"] == "File is larger than 50,000 bytes"
    assert media_app.stored() == []


async def test_a_chunked_upload_is_cut_off_at_the_limit(media_app: MediaApp) -> None:
    """Without a Content-Length the body is counted as it arrives: 413 once it passes
    the limit (the file's limit and the form's framing), and nothing is stored."""
    alice = await media_app.factory.user("alice")
    limit = media_app.runtime.settings.media_max_bytes
    boundary = "roost-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode()

    async def body() -> AsyncIterator[bytes]:
        yield head
        for _ in range(limit // (1 << 20) + 2):  # one MiB at a time, past the limit
            yield b"\x00" * (1 << 20)
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await media_app.client.post(
        "/api/v2/media",
        content=body(),
        headers={**alice.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json()["error"].startswith("Request body is larger than")
    assert media_app.stored() == []
