"""Scheduled posts with media: held for the post until it is published with them."""

from __future__ import annotations

import httpx

from roost.media.models import MediaAttachment
from roost.runtime import Runtime
from tests.factories import Factory
from tests.media_files import make_media, picture
from tests.scheduled.test_scheduled import come_due, schedule
from tests.statuses.helpers import follow, home


async def test_a_scheduled_post_holds_its_media_and_is_published_with_them(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, bob, alice)
    one = str((await make_media(runtime, alice.id, description="dawn")).id)
    two = str((await make_media(runtime, alice.id, data=picture(5, 5))).id)
    scheduled = await schedule(client, alice, "", media_ids=[two, one])
    assert scheduled["params"]["media_ids"] == [two, one]
    assert [m["id"] for m in scheduled["media_attachments"]] == [two, one]
    assert scheduled["media_attachments"][1]["description"] == "dawn"
    listed = await client.get("/api/v1/scheduled_statuses", headers=alice.headers)
    assert listed.json()[0]["media_attachments"] == scheduled["media_attachments"]

    # Held: no other post may take them meanwhile.
    taken = await client.post(
        "/api/v1/statuses", json={"status": "now", "media_ids": [one]}, headers=alice.headers
    )
    assert taken.status_code == 422 and "already attached" in taken.json()["error"]

    await come_due(runtime)
    assert await runtime.jobs.sweep() == 1
    await runtime.jobs.drain()
    (published,) = await home(client, bob)
    assert published["media_attachments"] == scheduled["media_attachments"]


async def test_cancelling_a_scheduled_post_lets_its_media_go(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    media_id = str((await make_media(runtime, alice.id)).id)
    scheduled = await schedule(client, alice, "later", media_ids=[media_id])
    cancelled = await client.delete(
        f"/api/v1/scheduled_statuses/{scheduled['id']}", headers=alice.headers
    )
    assert cancelled.status_code == 200
    async with runtime.db.read() as session:
        row = await session.get(MediaAttachment, int(media_id))
    assert row is not None and row.scheduled_status_id is None and row.status_id is None
    now = await client.post(
        "/api/v1/statuses", json={"status": "now", "media_ids": [media_id]}, headers=alice.headers
    )
    assert now.status_code == 200 and now.json()["media_attachments"][0]["id"] == media_id


async def test_a_scheduled_post_is_refused_media_it_cannot_take(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    theirs = str((await make_media(runtime, bob.id)).id)
    response = await client.post(
        "/api/v1/statuses",
        json={"status": "x", "media_ids": [theirs], "scheduled_at": "2999-01-01T00:00:00Z"},
        headers=alice.headers,
    )
    assert response.status_code == 422 and "was not found" in response.json()["error"]
    listed = await client.get("/api/v1/scheduled_statuses", headers=alice.headers)
    assert listed.json() == []
