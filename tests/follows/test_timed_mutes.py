"""Mutes with a duration: shown with their end, and gone on every path once it comes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from roost.follows.models import Mute
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.follows.test_follow import count_rows
from tests.follows.test_requests import act, relationship
from tests.timelines.helpers import post


async def mutes(client: httpx.AsyncClient, user: User) -> list[dict[str, object]]:
    response = await client.get("/api/v1/mutes", headers=user.headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, object]] = response.json()
    return found


async def home(client: httpx.AsyncClient, user: User) -> list[str]:
    response = await client.get("/api/v1/timelines/home", headers=user.headers)
    return [s["id"] for s in response.json()]


async def test_a_timed_mute_shows_when_it_ends(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    await act(client, alice, f"/api/v1/accounts/{bob.id}/mute", duration=3600)
    await act(client, alice, f"/api/v1/accounts/{carol.id}/mute", duration=0)
    listed = {m["id"]: m["mute_expires_at"] for m in await mutes(client, alice)}
    assert listed[carol.id] is None
    ends = listed[bob.id]
    assert isinstance(ends, str)
    expected = datetime.now(UTC) + timedelta(hours=1)
    assert abs(datetime.fromisoformat(ends) - expected) < timedelta(minutes=1)
    # Muting again sets the end anew: here, never.
    await act(client, alice, f"/api/v1/accounts/{bob.id}/mute")
    assert {m["id"]: m["mute_expires_at"] for m in await mutes(client, alice)}[bob.id] is None

    for bad in (-1, "soon", 10**12):
        response = await client.post(
            f"/api/v1/accounts/{bob.id}/mute", json={"duration": bad}, headers=alice.headers
        )
        assert response.status_code in (400, 422), response.text
        assert "error" in response.json()


async def test_an_ended_mute_no_longer_applies_and_is_deleted(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await act(client, alice, f"/api/v1/accounts/{bob.id}/follow")
    before = await post(client, bob, "before the mute")
    await runtime.jobs.drain()
    muted = await act(client, alice, f"/api/v1/accounts/{bob.id}/mute", duration=1)
    assert muted["muting"] is True and muted["muting_notifications"] is True
    during = await post(client, bob, "during the mute")
    await post(client, bob, "@alice hey")
    await runtime.jobs.drain()
    assert await home(client, alice) == []
    assert (await client.get("/api/v1/notifications", headers=alice.headers)).json() == []

    await asyncio.sleep(1.2)
    # Ended: it applies nowhere, even before the job that deletes it has run.
    assert await count_rows(runtime, Mute) == 1
    assert (await relationship(client, alice, bob))["muting"] is False
    assert await mutes(client, alice) == []
    again = await post(client, bob, "@alice hey again")
    notes = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
    assert [(n["type"], n["status"]["id"]) for n in notes] == [("mention", again)]

    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    assert await count_rows(runtime, Mute) == 0
    # The job brings back what the mute took out of the stored timeline and what
    # fan-out left out meanwhile, as an unmute does.
    assert {during, before} <= set(await home(client, alice))
