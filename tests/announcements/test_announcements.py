"""Announcements: published by `roost announce`, listed with what each person read and
reacted, dismissed, reacted to with unicode emoji."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from roost.announcements.service import is_unicode_emoji, publish_announcement
from roost.core.db import utcnow
from roost.core.errors import Unprocessable
from roost.runtime import Runtime
from tests.factories import Factory


async def announce(runtime: Runtime, text: str, **when: object) -> str:
    async with runtime.db.write() as session:
        announcement = await publish_announcement(
            session=session,
            text=text,
            base_url=runtime.settings.base_url,
            domain=runtime.settings.domain,
            **when,  # type: ignore[arg-type]
        )
    return str(announcement.id)


async def test_list_dismiss_and_react(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    first = await announce(runtime, "Maintenance tonight, see https://status.example")
    second = await announce(runtime, "Meetup", starts_at=utcnow() + timedelta(days=1), all_day=True)
    await announce(runtime, "Over already", ends_at=utcnow() - timedelta(hours=1))

    listed = (await client.get("/api/v1/announcements", headers=alice.headers)).json()
    assert [a["id"] for a in listed] == [first, second]
    one = listed[0]
    assert one["read"] is False and one["reactions"] == [] and one["published"] is True
    assert '<a href="https://status.example"' in one["content"]
    assert listed[1]["all_day"] is True and listed[1]["starts_at"].endswith("Z")

    dismissed = await client.post(f"/api/v1/announcements/{first}/dismiss", headers=alice.headers)
    assert dismissed.status_code == 200 and dismissed.json() == {}
    for who, emoji in ((alice, "🎉"), (bob, "🎉"), (bob, "👍🏽")):
        path = f"/api/v1/announcements/{first}/reactions/{emoji}"
        reacted = await client.put(path, headers=who.headers)
        assert reacted.status_code == 200 and reacted.json() == {}
    await client.put(f"/api/v1/announcements/{first}/reactions/🎉", headers=alice.headers)

    mine = (await client.get("/api/v1/announcements", headers=alice.headers)).json()[0]
    assert mine["read"] is True
    assert mine["reactions"] == [
        {"name": "🎉", "count": 2, "me": True},
        {"name": "👍🏽", "count": 1, "me": False},
    ]
    bobs = (await client.get("/api/v1/announcements", headers=bob.headers)).json()[0]
    assert bobs["read"] is False
    assert {r["name"]: r["me"] for r in bobs["reactions"]} == {"🎉": True, "👍🏽": True}

    removed = await client.delete(
        f"/api/v1/announcements/{first}/reactions/🎉", headers=alice.headers
    )
    assert removed.status_code == 200
    after = (await client.get("/api/v1/announcements", headers=alice.headers)).json()[0]
    assert after["reactions"][0] == {"name": "🎉", "count": 1, "me": False}


async def test_errors(client: httpx.AsyncClient, factory: Factory, runtime: Runtime) -> None:
    alice = await factory.user("alice")
    first = await announce(runtime, "Hello")
    assert (await client.get("/api/v1/announcements")).status_code == 401
    for path in ("/api/v1/announcements/999/dismiss",):
        assert (await client.post(path, headers=alice.headers)).status_code == 404
    assert (
        await client.put("/api/v1/announcements/999/reactions/🎉", headers=alice.headers)
    ).status_code == 404
    for name in ("blobcat", "a", "🎉x", "<b>"):
        response = await client.put(
            f"/api/v1/announcements/{first}/reactions/{name}", headers=alice.headers
        )
        assert response.status_code == 422, name
        assert response.json()["error"] == "Validation failed: Name is not a recognized emoji"


def test_unicode_emoji() -> None:
    for emoji in ("🎉", "👍🏽", "❤️", "👩‍💻", "🇫🇷", "1️⃣"):
        assert is_unicode_emoji(emoji), emoji
    for other in ("", "abc", ":blobcat:", "🎉 ", "1", "x" * 40):
        assert not is_unicode_emoji(other), other


async def test_publish_validates(runtime: Runtime) -> None:
    with pytest.raises(Unprocessable):
        await announce(runtime, "   ")
    with pytest.raises(Unprocessable):
        await announce(
            runtime, "Backwards", starts_at=utcnow(), ends_at=utcnow() - timedelta(days=1)
        )
