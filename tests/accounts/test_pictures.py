"""Avatars and headers: uploaded through update_credentials (cleaned, cropped, stored
under content-hashed names), removed through /api/v1/profile, and generated as PNG for
everyone who has none."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from roost.accounts.avatars import LETTERS, PALETTE
from roost.core.settings import Settings
from tests.conftest import Scaled
from tests.factories import Factory, User
from tests.pictures import has_metadata, opened, picture
from tests.timelines.helpers import HOME, follow, post

UPDATE = "/api/v1/accounts/update_credentials"
ME = "/api/v1/accounts/verify_credentials"


def path_of(url: str) -> str:
    return urlsplit(url).path


def stored_files(settings: Settings) -> list[Path]:
    root = settings.data_dir / "media"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def upload(client: httpx.AsyncClient, user: User, **files: bytes) -> httpx.Response:
    return await client.patch(
        UPDATE,
        files={name: (f"{name}.jpg", data, "image/jpeg") for name, data in files.items()},
        headers=user.headers,
    )


async def fetched(client: httpx.AsyncClient, url: str) -> httpx.Response:
    response = await client.get(path_of(url))
    assert response.status_code == 200, (url, response.text)
    return response


async def test_generated_avatar_and_header_are_png(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    me = (await client.get(ME, headers=alice.headers)).json()
    assert me["avatar"] == me["avatar_static"] and me["avatar"].endswith(".png")
    assert me["header"] == me["header_static"] and me["header"].endswith(".png")
    avatar = await fetched(client, me["avatar"])
    assert avatar.headers["content-type"] == "image/png"
    assert avatar.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in avatar.headers["cache-control"]
    assert opened(avatar.content).size == (400, 400)
    assert not has_metadata(avatar.content)
    again = await fetched(client, me["avatar"])
    assert again.content == avatar.content
    theirs = (await client.get(f"/api/v1/accounts/{bob.id}")).json()["avatar"]
    assert path_of(theirs).endswith("-B.png") and path_of(me["avatar"]).endswith("-A.png")
    assert (await fetched(client, theirs)).content != avatar.content
    header = await fetched(client, me["header"])
    assert header.headers["content-type"] == "image/png"
    assert opened(header.content).size == (1500, 500)


@pytest.mark.parametrize(
    "path",
    [
        "/avatars/v0/1-A.png",
        f"/avatars/v1/{len(PALETTE)}-A.png",
        "/avatars/v1/1-a.png",
        "/avatars/v1/1-AB.png",
        "/avatars/v1/-1-A.png",
    ],
)
async def test_generated_avatars_that_cannot_exist_are_404(
    client: httpx.AsyncClient, path: str
) -> None:
    assert "a" not in LETTERS
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


async def test_the_old_svg_addresses_lead_to_the_png(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    moved = await client.get(f"/avatars/{alice.id}.svg")
    assert moved.status_code == 301
    me = (await client.get(ME, headers=alice.headers)).json()
    assert moved.headers["location"] == path_of(me["avatar"])
    assert (await client.get("/avatars/123.svg")).status_code == 404
    header = await client.get("/headers/default.svg")
    assert (header.status_code, header.headers["location"]) == (301, path_of(me["header"]))


async def test_avatar_and_header_upload_cleaned_cropped_and_stored(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    alice = await factory.user("alice")
    response = await upload(
        client, alice, avatar=picture((900, 600), gps=True), header=picture((3000, 2000), gps=True)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"]["privacy"] == "public"  # the CredentialAccount
    assert body["avatar"] == body["avatar_static"]
    assert path_of(body["avatar"]).startswith(f"/system/avatars/{alice.id}/")
    assert path_of(body["header"]).startswith(f"/system/headers/{alice.id}/")
    avatar = await fetched(client, body["avatar"])
    assert avatar.headers["content-type"] == "image/jpeg"
    assert opened(avatar.content).size == (400, 400)
    assert not has_metadata(avatar.content)  # the GPS position is gone
    header = await fetched(client, body["header"])
    assert opened(header.content).size == (1500, 500)
    assert not has_metadata(header.content)
    assert len(stored_files(settings)) == 2
    # Everyone sees it: the account, verify_credentials, the author of a post.
    assert (await client.get(f"/api/v1/accounts/{alice.id}")).json()["avatar"] == body["avatar"]
    assert (await client.get(ME, headers=alice.headers)).json()["header"] == body["header"]
    posted = await post(client, alice, "new face")
    shown = (await client.get(f"/api/v1/statuses/{posted}")).json()
    assert shown["account"]["avatar"] == body["avatar"]


async def test_a_transparent_png_stays_png(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    png = picture((500, 500), format="PNG", mode="RGBA", colour=(10, 200, 10, 128))
    response = await client.patch(
        UPDATE, files={"avatar": ("a.png", png, "image/png")}, headers=alice.headers
    )
    assert response.status_code == 200, response.text
    stored = await fetched(client, response.json()["avatar"])
    assert stored.headers["content-type"] == "image/png"
    assert opened(stored.content).mode == "RGBA"


async def test_a_new_avatar_replaces_the_old_file(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    alice = await factory.user("alice")
    first = (await upload(client, alice, avatar=picture(colour=(1, 2, 3)))).json()["avatar"]
    [old] = stored_files(settings)
    second = (await upload(client, alice, avatar=picture(colour=(200, 2, 3)))).json()["avatar"]
    assert second != first
    [new] = stored_files(settings)
    assert new != old and not old.exists()
    assert (await client.get(path_of(first))).status_code == 404
    # The same picture again: the same name, and the file stays.
    again = (await upload(client, alice, avatar=picture(colour=(200, 2, 3)))).json()["avatar"]
    assert again == second and stored_files(settings) == [new]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("text.png", b"this is not a picture at all", "not a JPEG, PNG, WebP or GIF"),
        ("cut.png", picture(format="PNG")[:200], "damaged or incomplete"),
        ("empty.jpg", b"", "empty"),
        ("huge.jpg", b"\xff\xd8" + b"\0" * (8 << 20), "less than 8 MB"),
    ],
    ids=["text-named-png", "truncated-png", "empty", "over-8-MB"],
)
async def test_bad_pictures_are_422_and_change_nothing(
    client: httpx.AsyncClient,
    factory: Factory,
    settings: Settings,
    name: str,
    data: bytes,
    says: str,
) -> None:
    alice = await factory.user("alice", display_name="Alice")
    before = (await client.get(ME, headers=alice.headers)).json()
    response = await client.patch(
        UPDATE,
        data={"display_name": "Changed"},
        files={"header": ("ok.jpg", picture(), "image/jpeg"), "avatar": (name, data, "image/png")},
        headers=alice.headers,
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error.startswith("Validation failed: Avatar") and says in error
    after = (await client.get(ME, headers=alice.headers)).json()
    assert after == before  # neither the name, nor the header that was fine, changed
    assert stored_files(settings) == []


async def test_a_decompression_bomb_is_refused(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    alice = await factory.user("alice")
    bomb = picture((10_000, 10_000), format="PNG", colour=(0, 0, 0))  # 100 Mpx, tiny file
    response = await client.patch(
        UPDATE, files={"avatar": ("bomb.png", bomb, "image/png")}, headers=alice.headers
    )
    assert response.status_code == 422
    assert "pixels" in response.json()["error"]
    assert stored_files(settings) == []


async def test_delete_avatar_and_header(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    alice = await factory.user("alice")
    default = (await client.get(ME, headers=alice.headers)).json()
    await upload(client, alice, avatar=picture(), header=picture((1600, 600)))
    assert len(stored_files(settings)) == 2
    removed = await client.delete("/api/v1/profile/avatar", headers=alice.headers)
    assert removed.status_code == 200
    assert removed.json()["avatar"] == default["avatar"]
    assert removed.json()["source"]["privacy"] == "public"
    assert removed.json()["header"] != default["header"]  # the header stays
    assert len(stored_files(settings)) == 1
    removed = await client.delete("/api/v1/profile/header", headers=alice.headers)
    assert removed.json()["header"] == default["header"]
    assert stored_files(settings) == []
    again = await client.delete("/api/v1/profile/header", headers=alice.headers)
    assert again.status_code == 200  # having none is no error (as on Mastodon)


async def test_pictures_need_write_accounts(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice", scopes="read")
    assert (await upload(client, alice, avatar=picture())).status_code == 403
    assert (await client.delete("/api/v1/profile/avatar", headers=alice.headers)).status_code == 403
    assert (await client.delete("/api/v1/profile/avatar")).status_code == 401


async def test_a_new_avatar_shows_at_once_on_cached_pages(scaled: Scaled) -> None:
    """With Redis: the account cache and the kept home pages forget the author."""
    runtime, client, factory = scaled
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, alice, bob)
    await post(client, bob, "before the new picture")
    await runtime.jobs.drain()

    async def author_avatar() -> str:
        page = (await client.get(HOME, headers=alice.headers)).json()
        return str(page[0]["account"]["avatar"])

    generated = await author_avatar()
    assert generated == await author_avatar()  # the second read is the kept page
    uploaded = (await upload(client, bob, avatar=picture())).json()["avatar"]
    assert uploaded != generated
    assert await author_avatar() == uploaded
    await client.delete("/api/v1/profile/avatar", headers=bob.headers)
    assert await author_avatar() == generated
