"""Uploads as Mastodon documents them: v1 and v2, reading, describing, deleting."""

from __future__ import annotations

import httpx
import pytest

from roost.media.models import MediaAttachment
from roost.media.storage import LocalStorage
from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import Factory
from tests.media import images
from tests.media.conftest import upload


async def test_upload_read_describe_and_delete(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    posted = await upload(
        client, alice, images.picture("JPEG", (800, 600)), name="x.jpg", mime="image/jpeg",
        description="A red square", focus="-0.5,0.25",
    )  # fmt: skip
    assert posted.status_code == 200  # small: processed while the request waited
    media = posted.json()
    assert media["type"] == "image"
    assert media["description"] == "A red square"
    assert media["meta"]["focus"] == {"x": -0.5, "y": 0.25}
    assert media["meta"]["original"] == {
        "width": 800, "height": 600, "size": "800x600", "aspect": round(800 / 600, 6)
    }  # fmt: skip
    assert media["meta"]["small"]["width"] * media["meta"]["small"]["height"] <= 640 * 360
    assert media["blurhash"] and media["url"].startswith("http://localhost/system/")
    assert media["preview_url"].endswith(".jpg") and media["remote_url"] is None
    for url in (media["url"], media["preview_url"]):
        served = await client.get(url)
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"

    read = await client.get(f"/api/v1/media/{media['id']}", headers=alice.headers)
    assert read.status_code == 200 and read.json() == media

    changed = await client.put(
        f"/api/v1/media/{media['id']}",
        data={"description": "A red square on nothing", "focus": "0.1,-1"},
        headers=alice.headers,
    )
    assert changed.status_code == 200
    assert changed.json()["description"] == "A red square on nothing"
    assert changed.json()["meta"]["focus"] == {"x": 0.1, "y": -1.0}
    only_focus = await client.put(
        f"/api/v1/media/{media['id']}", json={"focus": "0,0"}, headers=alice.headers
    )
    assert only_focus.json()["description"] == "A red square on nothing"  # kept
    cleared = await client.put(
        f"/api/v1/media/{media['id']}", json={"description": ""}, headers=alice.headers
    )
    assert cleared.json()["description"] is None

    assert isinstance(runtime.media, LocalStorage)
    assert len(list(runtime.media.root.rglob("*.jpg"))) == 2
    deleted = await client.delete(f"/api/v1/media/{media['id']}", headers=alice.headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    await runtime.jobs.drain()
    assert list(runtime.media.root.rglob("*.jpg")) == []
    assert (await client.get(media["url"])).status_code == 404
    gone = await client.get(f"/api/v1/media/{media['id']}", headers=alice.headers)
    assert gone.status_code == 404


async def test_v1_is_synchronous_and_says_the_same(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await upload(client, alice, images.picture("WEBP"), name="p.webp", version=1)
    assert response.status_code == 200
    assert response.json()["url"].endswith(".webp")


async def test_someone_elses_media_is_not_found(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, mallory = await factory.user("alice"), await factory.user("mallory")
    media = (await upload(client, alice, images.picture())).json()
    path = f"/api/v1/media/{media['id']}"
    assert (await client.get(path, headers=mallory.headers)).status_code == 404
    put = await client.put(path, data={"description": "mine now"}, headers=mallory.headers)
    assert put.status_code == 404 and put.json() == {"error": "Record not found"}
    assert (await client.delete(path, headers=mallory.headers)).status_code == 404
    await runtime.jobs.drain()
    mine = await client.get(path, headers=alice.headers)
    assert mine.status_code == 200 and mine.json()["description"] is None
    assert (await client.get(media["url"])).status_code == 200  # its files untouched


async def test_attached_media_is_left_alone(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """Mastodon's rule: these routes are for uploads no post has taken yet."""
    alice = await factory.user("alice")
    media = (await upload(client, alice, images.picture())).json()
    status = await client.post("/api/v1/statuses", json={"status": "hi"}, headers=alice.headers)
    async with runtime.db.write() as session:
        row = await session.get(MediaAttachment, int(media["id"]))
        assert row is not None
        row.status_id = int(status.json()["id"])
        await session.commit()
    path = f"/api/v1/media/{media['id']}"
    assert (await client.get(path, headers=alice.headers)).status_code == 404
    put = await client.put(path, data={"description": "late"}, headers=alice.headers)
    assert put.status_code == 404
    refused = await client.delete(path, headers=alice.headers)
    assert refused.status_code == 422
    assert refused.json() == {"error": "Media attachment is currently used by a status"}
    assert (await client.get(media["url"])).status_code == 200


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"description": "x" * 1501}, "Description is too long (maximum is 1500 characters)"),
        ({"focus": "0.5"}, 'Focus must be two numbers "x,y" between -1.0 and 1.0'),
        ({"focus": "2,0"}, "Focus must be between -1.0 and 1.0"),
        ({"focus": "nan,0"}, "Focus must be between -1.0 and 1.0"),
        ({"description": "nul\x00byte"}, "description: invalid character"),
    ],
)
async def test_bad_text_is_refused_before_anything_is_kept(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, fields: dict, error: str
) -> None:
    alice = await factory.user("alice")
    response = await upload(client, alice, images.picture(), **fields)
    assert response.status_code == 422 and error in response.json()["error"]
    assert not (runtime.settings.data_dir / "media").exists()
    media = (await upload(client, alice, images.picture())).json()
    put = await client.put(f"/api/v1/media/{media['id']}", data=fields, headers=alice.headers)
    assert put.status_code == 422 and error in put.json()["error"]


async def test_a_description_of_1500_characters_is_taken(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await upload(client, alice, images.picture(), description="é" * 1500)
    assert response.status_code == 200 and response.json()["description"] == "é" * 1500


async def test_uploads_need_a_file_and_the_media_scope(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    reader = await factory.user("reader", scopes="read write:statuses")
    no_file = await client.post("/api/v2/media", data={"description": "?"}, headers=alice.headers)
    assert no_file.status_code == 422
    assert no_file.json()["error"].startswith("Validation failed: File can't be blank")
    as_text = await client.post(
        "/api/v2/media",
        files={"description": (None, "?"), "file": (None, "not a file")},
        headers=alice.headers,
    )
    assert as_text.status_code == 422
    scoped = await upload(client, reader, images.picture())
    assert scoped.status_code == 403
    anonymous = await client.post("/api/v2/media", files={"file": ("a.png", images.picture())})
    assert anonymous.status_code == 401


async def test_a_custom_thumbnail_is_refused_clearly(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        "/api/v2/media",
        files={"file": ("a.png", images.picture()), "thumbnail": ("t.png", images.picture())},
        headers=alice.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"].startswith("Custom thumbnails are not supported")
    assert not (runtime.settings.data_dir / "media").exists()
    media = (await upload(client, alice, images.picture())).json()
    put = await client.put(
        f"/api/v1/media/{media['id']}",
        files={"thumbnail": ("t.png", images.picture())},
        headers=alice.headers,
    )
    assert put.status_code == 422


async def test_the_hourly_quota_answers_429(app_client: AppClient) -> None:
    async with app_client(rate_limits=True, media_uploads_per_hour=2) as (client, runtime):
        alice, bob = await Factory(runtime).user("alice"), await Factory(runtime).user("bob")
        for _ in range(2):
            assert (await upload(client, alice, images.picture())).status_code == 200
        refused = await upload(client, alice, images.picture())
        assert refused.status_code == 429
        assert refused.json() == {"error": "Too many uploads: at most 2 files an hour per account"}
        assert 3500 < int(refused.headers["Retry-After"]) <= 3600
        assert (await upload(client, bob, images.picture())).status_code == 200  # per account
        files = list((runtime.settings.data_dir / "media").rglob("*.*"))
        assert len(files) == 3 * 2  # the refused one kept nothing


async def test_the_instance_states_the_limits(client: httpx.AsyncClient) -> None:
    for path in ("/api/v1/instance", "/api/v2/instance"):
        configuration = (await client.get(path)).json()["configuration"]
        assert configuration["statuses"]["max_media_attachments"] == 4
        media = configuration["media_attachments"]
        assert media["supported_mime_types"] == [
            "image/jpeg", "image/png", "image/webp", "image/gif"
        ]  # fmt: skip
        assert media["image_size_limit"] == 16 * 1024 * 1024
        assert media["image_matrix_limit"] == 7680 * 4320
        assert media["video_size_limit"] == 16 * 1024 * 1024
        assert media["video_frame_rate_limit"] == 50
        assert media["video_matrix_limit"] == 7680 * 4320
        assert media["description_limit"] == 1500
