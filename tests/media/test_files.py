"""The files: served by Roost from the local disk (right type, no sniffing, cached
forever, nothing outside the media folder), or from S3 at its own address."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from roost.media import s3
from roost.media.models import MediaAttachment
from roost.media.storage import LocalStorage, public_content_type
from roost.runtime import Runtime
from tests.conftest import AppClient, free_port, s3_settings
from tests.factories import Factory
from tests.media import images
from tests.media.conftest import upload


async def test_local_files_are_served_safely(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    media = (await upload(client, alice, images.picture("PNG"))).json()
    for method in ("GET", "HEAD"):
        served = await client.request(method, media["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["content-security-policy"] == "default-src 'none'; form-action 'none'"
    body = (await client.get(media["url"])).content
    assert body.startswith(b"\x89PNG")
    partial = await client.get(media["url"], headers={"Range": "bytes=0-3"})
    assert partial.status_code == 206 and partial.content == b"\x89PNG"


@pytest.mark.parametrize(
    "path",
    [
        "/system/..%2froost.sqlite3",
        "/system/..%2f..%2fetc%2fpasswd",
        "/system/%2fetc%2fpasswd",
        "/system/media_attachments/1/original/..%2f..%2f..%2f..%2froost.sqlite3",
        "/system/media_attachments/1/original/" + "a" * 64 + ".html",
        "/system/media_attachments/1/original/" + "a" * 64 + ".png",  # well-formed, absent
        "/system/.media_attachments/x/" + "a" * 64 + ".png",
        "/system/roost.sqlite3",
    ],
)
async def test_nothing_else_is_served(
    client: httpx.AsyncClient, runtime: Runtime, path: str
) -> None:
    assert isinstance(runtime.media, LocalStorage)
    # Something worth stealing next to the media folder, and inside it.
    (runtime.settings.data_dir / "secret_key").write_text("do not serve")
    response = await client.get(path)
    assert response.status_code == 404 and response.json() == {"error": "Record not found"}


def test_which_keys_are_public() -> None:
    digest = "0123456789abcdef" * 4
    assert public_content_type(f"media_attachments/1/small/{digest}.jpg") == "image/jpeg"
    assert public_content_type(f"media_attachments/1/original/{digest}.mp4") == "video/mp4"
    assert public_content_type(f"incoming/1/{digest}.upload") is None  # raw uploads
    assert public_content_type(f"incoming/1/{digest}.png") is None
    assert public_content_type(f"media_attachments/../{digest}.png") is None
    assert public_content_type(f"/etc/{digest}.png") is None
    assert public_content_type(f"a/{digest}.svg") is None  # script in a picture: never


async def test_s3_files_are_fetched_from_the_bucket(
    app_client: AppClient, s3_endpoint: str, s3_bucket: str
) -> None:
    async with app_client(**s3_settings(s3_endpoint, s3_bucket)) as (client, runtime):
        alice = await Factory(runtime).user("alice")
        media = (await upload(client, alice, images.picture("JPEG"), name="p.jpg")).json()
        assert media["url"].startswith(f"{s3_endpoint}/{s3_bucket}/media_attachments/")
        async with httpx.AsyncClient() as web:  # over HTTP, as a browser fetches it
            fetched = await web.get(media["url"])
        assert fetched.status_code == 200 and fetched.content.startswith(b"\xff\xd8")
        assert fetched.headers["content-type"] == "image/jpeg"
        assert fetched.headers["cache-control"] == "public, max-age=31536000, immutable"
        key = media["url"].removeprefix(f"{s3_endpoint}/{s3_bucket}/")
        # Roost serves no S3 file itself: /system/ (how avatars and card images are
        # named) sends the client to the bucket.
        moved = await client.get(f"/system/{key}")
        assert moved.status_code == 302 and moved.headers["location"] == media["url"]


async def test_an_unreachable_store_answers_503_and_keeps_nothing(
    app_client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3, "ATTEMPTS", 1)  # no retries with backoff: the answer at once
    nowhere = s3_settings(f"http://127.0.0.1:{free_port()}", "roost-nowhere")
    async with app_client(**nowhere) as (client, runtime):
        alice = await Factory(runtime).user("alice")
        response = await upload(client, alice, images.picture())
        assert response.status_code == 503
        assert response.json() == {"error": "The media storage is unavailable; try again later"}
        async with runtime.db.read() as session:
            assert list(await session.scalars(select(MediaAttachment.id))) == []
