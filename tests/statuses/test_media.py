"""Posts with media: taking uploads (media/attach.py), the MediaAttachment entities on
the Status, sensitivity, and what deleting a post does to its files."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import update

from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.media.models import MediaAttachment
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory, User
from tests.media_files import make_media, picture
from tests.statuses.helpers import count, follow, home, post


async def upload(runtime: Runtime, user: User, **options: Any) -> str:
    return str((await make_media(runtime, user.id, **options)).id)


async def media_row(runtime: Runtime, media_id: str) -> MediaAttachment | None:
    async with runtime.db.read() as session:
        return await session.get(MediaAttachment, int(media_id))


def stored(runtime: Runtime, url: str) -> bool:
    """Whether the file behind a media URL is in the storage."""
    key = url.split("/system/", 1)[1]
    return bool(runtime.media.path(key).exists())  # type: ignore[attr-defined]


async def test_a_post_with_pictures_and_no_text(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    red = await upload(runtime, alice, description="A red square")
    blue = await upload(runtime, alice, data=picture(1200, 600, (20, 40, 200)))
    status = await post(client, alice, "", media_ids=[blue, red])
    assert status["content"] == "" and status["text"] == ""
    first, second = status["media_attachments"]
    assert [first["id"], second["id"]] == [blue, red]  # in the order sent
    assert first["type"] == "image" and first["description"] is None
    assert second["description"] == "A red square"
    assert first["meta"]["original"] == {
        "width": 1200,
        "height": 600,
        "size": "1200x600",
        "aspect": 2.0,
    }
    assert first["meta"]["small"]["aspect"] == pytest.approx(2.0, rel=0.01)
    assert first["meta"]["focus"] == {"x": 0.0, "y": 0.0}
    assert first["blurhash"] and first["remote_url"] is None
    assert first["url"].startswith("http://localhost/system/media/")
    file = await client.get(first["url"].removeprefix("http://localhost"))
    assert file.status_code == 200 and file.headers["content-type"] == "image/png"
    preview = await client.get(first["preview_url"].removeprefix("http://localhost"))
    assert preview.status_code == 200 and preview.content[:3] == b"\xff\xd8\xff"  # JPEG
    again = (await client.get(f"/api/v1/statuses/{status['id']}")).json()
    assert again["media_attachments"] == status["media_attachments"]
    assert (await home(client, alice))[0]["media_attachments"] == status["media_attachments"]


async def test_media_ids_sent_as_a_form(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    one, two = await upload(runtime, alice), await upload(runtime, alice, data=picture(9, 9))
    response = await client.post(
        "/api/v1/statuses",
        data={"status": "two", "media_ids[]": [one, two]},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert [m["id"] for m in response.json()["media_attachments"]] == [one, two]


REFUSALS = {
    "five": "at most 4",
    "others": "was not found",
    "unknown": "was not found",
    "attached": "already attached",
    "processing": "still being processed",
    "with a poll": "both media and a poll",
    "not an id": "media_ids",
}


@pytest.mark.parametrize("case", list(REFUSALS))
async def test_media_ids_that_cannot_be_taken_refuse_the_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, case: str
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    mine = await upload(runtime, alice)
    body: dict[str, Any] = {"status": "look", "media_ids": [mine]}
    if case == "five":
        body["media_ids"] = [mine] + [
            await upload(runtime, alice, data=picture(n + 2, 5)) for n in range(4)
        ]
    elif case == "others":
        body["media_ids"] = [mine, await upload(runtime, bob)]
    elif case == "unknown":
        body["media_ids"] = [mine, "123456789"]
    elif case == "attached":
        used = await upload(runtime, alice, data=picture(5, 5))
        await post(client, alice, "first", media_ids=[used])
        body["media_ids"] = [mine, used]
    elif case == "processing":
        body["media_ids"] = [mine, await upload(runtime, alice, state="processing")]
    elif case == "with a poll":
        body["poll"] = {"options": ["a", "b"], "expires_in": 300}
    elif case == "not an id":
        body["media_ids"] = [mine, "abc"]
    before = await count(runtime, Status)
    response = await client.post("/api/v1/statuses", json=body, headers=alice.headers)
    assert response.status_code == 422, response.text
    assert REFUSALS[case] in response.json()["error"]
    assert await count(runtime, Status) == before  # nothing written
    row = await media_row(runtime, mine)
    assert row is not None and row.status_id is None


async def test_a_post_needs_text_or_media(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    response = await client.post("/api/v1/statuses", json={"status": " "}, headers=alice.headers)
    assert response.status_code == 422
    assert "can't be blank" in response.json()["error"]


async def test_sensitive_as_sent_and_always_for_a_sensitized_account(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    plain = await post(client, alice, "a", media_ids=[await upload(runtime, alice)])
    assert plain["sensitive"] is False
    marked = await post(
        client, alice, "b", media_ids=[await upload(runtime, alice, data=picture(7, 7))],
        sensitive=True,
    )  # fmt: skip
    assert marked["sensitive"] is True
    async with runtime.db.write() as session:
        await session.execute(
            update(Account).where(Account.id == alice.account.id).values(sensitized_at=utcnow())
        )
        await session.commit()
    forced = await post(
        client, alice, "c", media_ids=[await upload(runtime, alice, data=picture(8, 8))],
        sensitive=False,
    )  # fmt: skip
    assert forced["sensitive"] is True
    edited = await client.put(
        f"/api/v1/statuses/{plain['id']}",
        json={"status": "a, edited", "sensitive": False},
        headers=alice.headers,
    )
    assert edited.json()["sensitive"] is True  # an edit is written under the same rule


async def test_deleting_with_delete_media_removes_the_files(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    media_id = await upload(runtime, alice)
    status = await post(client, alice, "gone soon", media_ids=[media_id])
    (shown,) = status["media_attachments"]
    assert stored(runtime, shown["url"]) and stored(runtime, shown["preview_url"])
    response = await client.delete(
        f"/api/v1/statuses/{status['id']}", params={"delete_media": "true"}, headers=alice.headers
    )
    assert response.status_code == 200
    assert response.json()["media_attachments"] == status["media_attachments"]  # for redraft
    await runtime.jobs.drain()
    assert not stored(runtime, shown["url"]) and not stored(runtime, shown["preview_url"])
    assert await media_row(runtime, media_id) is None
    assert (await client.get(shown["url"].removeprefix("http://localhost"))).status_code == 404


@pytest.mark.parametrize("param", [None, "false"])
async def test_deleting_keeps_the_media_for_a_redraft(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, param: str | None
) -> None:
    """Mastodon's default: the media outlive the post, unattached, so delete and
    redraft can post them again (they expire with the other unattached uploads)."""
    alice = await factory.user("alice")
    media_id = await upload(runtime, alice, description="kept")
    status = await post(client, alice, "draft one", media_ids=[media_id])
    query = {"delete_media": param} if param else {}
    deleted = await client.delete(
        f"/api/v1/statuses/{status['id']}", params=query, headers=alice.headers
    )
    await runtime.jobs.drain()
    (shown,) = deleted.json()["media_attachments"]
    assert stored(runtime, shown["url"])
    row = await media_row(runtime, media_id)
    assert row is not None and row.status_id is None
    redraft = await post(client, alice, deleted.json()["text"], media_ids=[shown["id"]])
    assert redraft["media_attachments"] == [shown]


async def test_a_file_two_uploads_share_stays_while_one_is_named(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """Keys are content hashes: the same picture uploaded twice is one file."""
    alice = await factory.user("alice")
    first = await post(client, alice, "one", media_ids=[await upload(runtime, alice)])
    second = await post(client, alice, "two", media_ids=[await upload(runtime, alice)])
    url = first["media_attachments"][0]["url"]
    assert second["media_attachments"][0]["url"] == url
    await client.delete(
        f"/api/v1/statuses/{first['id']}", params={"delete_media": "1"}, headers=alice.headers
    )
    await runtime.jobs.drain()
    assert stored(runtime, url)  # the second upload still names it
    await client.delete(
        f"/api/v1/statuses/{second['id']}", params={"delete_media": "1"}, headers=alice.headers
    )
    await runtime.jobs.drain()
    assert not stored(runtime, url)


async def test_media_an_edit_dropped_go_with_the_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    old, new = await upload(runtime, alice), await upload(runtime, alice, data=picture(6, 6))
    status = await post(client, alice, "v1", media_ids=[old])
    old_url = status["media_attachments"][0]["url"]
    await client.put(
        f"/api/v1/statuses/{status['id']}",
        json={"status": "v2", "media_ids": [new]},
        headers=alice.headers,
    )
    await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.headers)
    await runtime.jobs.drain()
    assert await media_row(runtime, old) is None and not stored(runtime, old_url)
    kept = await media_row(runtime, new)  # the current media: kept for a redraft
    assert kept is not None and kept.status_id is None


async def test_a_private_posts_media_only_where_the_post_is_seen(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, friend, stranger = [await factory.user(n) for n in ("alice", "friend", "stranger")]
    await follow(runtime, friend, alice)
    public = await post(client, alice, "for all", media_ids=[await upload(runtime, alice)])
    private = await post(
        client, alice, "friends", visibility="private",
        media_ids=[await upload(runtime, alice, data=picture(3, 3))],
    )  # fmt: skip

    async def media_posts(user: User | None, path: str, **query: str) -> list[str]:
        headers = user.headers if user else {}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json() if s["media_attachments"]]

    statuses = f"/api/v1/accounts/{alice.id}/statuses"
    assert await media_posts(friend, statuses, only_media="true") == [private["id"], public["id"]]
    assert await media_posts(stranger, statuses, only_media="true") == [public["id"]]
    assert await media_posts(None, statuses) == [public["id"]]
    public_timeline = "/api/v1/timelines/public"
    assert await media_posts(friend, public_timeline, only_media="true") == [public["id"]]
    text_only = await post(client, alice, "no pictures")
    shown = await client.get(public_timeline, params={"only_media": "true"})
    assert text_only["id"] not in [s["id"] for s in shown.json()]
    seen = await client.get(f"/api/v1/statuses/{private['id']}", headers=stranger.headers)
    assert seen.status_code == 404

    async def search(user: User) -> list[dict[str, Any]]:
        query = {"q": "friends", "type": "statuses"}
        found = await client.get("/api/v2/search", params=query, headers=user.headers)
        return list(found.json()["statuses"])

    assert await search(stranger) == []
    (hit,) = await search(friend)
    assert hit["media_attachments"] == private["media_attachments"]
    await runtime.jobs.drain()
    timeline = {s["id"]: s for s in await home(client, friend)}
    assert timeline[private["id"]]["media_attachments"] == private["media_attachments"]
