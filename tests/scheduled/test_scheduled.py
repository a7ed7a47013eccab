import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from roost.core.db import utcnow
from roost.core.settings import Settings
from roost.jobs.models import OutboxJob
from roost.notifications.models import Notification
from roost.polls.models import Poll
from roost.runtime import Runtime
from roost.scheduled.models import ScheduledStatus
from roost.scheduled.service import PUBLISH_JOB, publish_scheduled
from roost.statuses.models import Status
from tests.conftest import AppClient
from tests.factories import Factory, User
from tests.statuses.helpers import count, follow, home


def ahead(minutes: float) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat()


async def schedule(
    client: httpx.AsyncClient, user: User, text: str, minutes: float = 10, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/statuses",
        json={"status": text, "scheduled_at": ahead(minutes), **fields},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def come_due(runtime: Runtime) -> None:
    """Let the clock reach every scheduled post: their times and their jobs' times
    move a moment into the past, as if the minutes had passed."""
    past = utcnow() - timedelta(seconds=1)
    async with runtime.db.write() as session:
        await session.execute(update(ScheduledStatus).values(scheduled_at=past))
        await session.execute(
            update(OutboxJob).where(OutboxJob.kind == PUBLISH_JOB).values(next_attempt_at=past)
        )
        await session.commit()


async def test_scheduling_answers_a_scheduled_status_and_posts_nothing_yet(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    when = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    response = await client.post(
        "/api/v1/statuses",
        data={
            "status": "later",
            "scheduled_at": when.isoformat().replace("+00:00", "Z"),
            "visibility": "unlisted",
            "spoiler_text": "cw",
            "language": "en",
            "poll[options][]": ["yes", "no"],
            "poll[expires_in]": "600",
        },
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    scheduled = response.json()
    assert scheduled["scheduled_at"] == when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert scheduled["media_attachments"] == []
    params = scheduled["params"]
    assert params["text"] == "later" and params["visibility"] == "unlisted"
    assert params["spoiler_text"] == "cw" and params["language"] == "en"
    assert params["poll"] == {
        "options": ["yes", "no"],
        "expires_in": 600,
        "multiple": False,
        "hide_totals": False,
    }
    assert params["scheduled_at"] is None and params["media_ids"] is None
    assert await count(runtime, Status) == 0

    listed = await client.get("/api/v1/scheduled_statuses", headers=alice.headers)
    assert [s["id"] for s in listed.json()] == [scheduled["id"]]
    one = await client.get(f"/api/v1/scheduled_statuses/{scheduled['id']}", headers=alice.headers)
    assert one.json() == scheduled


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            lambda: ahead(4),
            "Validation failed: Scheduled at The scheduled date must be in the future",
        ),
        (
            lambda: ahead(-60),
            "Validation failed: Scheduled at The scheduled date must be in the future",
        ),
        (lambda: "tomorrow", "Validation failed: Scheduled at is not a date and time"),
        (lambda: "0001-01-01T00:00:00", "Validation failed: Scheduled at is not a date and time"),
    ],
)
async def test_a_time_too_soon_or_not_a_time_is_refused(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, when: Any, message: str
) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        "/api/v1/statuses", json={"status": "x", "scheduled_at": when()}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["error"] == message
    assert await count(runtime, ScheduledStatus) == 0


async def test_a_scheduled_post_is_checked_as_a_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    for body, code in [
        ({"status": " "}, 422),
        ({"status": "x" * 501}, 422),
        ({"status": "x", "poll": {"options": ["a"], "expires_in": 600}}, 422),
        ({"status": "x", "in_reply_to_id": "123456789"}, 404),
    ]:
        response = await client.post(
            "/api/v1/statuses",
            json={**body, "scheduled_at": ahead(10)},
            headers=alice.headers,
        )
        assert response.status_code == code, body
    assert await count(runtime, ScheduledStatus) == 0


async def test_move_and_cancel_and_only_the_owner_may(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    first = await schedule(client, alice, "one")
    second = await schedule(client, alice, "two", minutes=20)
    path = f"/api/v1/scheduled_statuses/{first['id']}"
    assert (await client.get(path, headers=bob.headers)).status_code == 404
    assert (
        await client.put(path, json={"scheduled_at": ahead(60)}, headers=bob.headers)
    ).status_code == 404
    assert (await client.delete(path, headers=bob.headers)).status_code == 404
    assert (await client.get("/api/v1/scheduled_statuses", headers=bob.headers)).json() == []

    later = (utcnow() + timedelta(hours=2)).replace(microsecond=0)
    moved = await client.put(path, data={"scheduled_at": later.isoformat()}, headers=alice.headers)
    assert moved.status_code == 200
    assert moved.json()["scheduled_at"] == later.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    soon = await client.put(path, json={"scheduled_at": ahead(1)}, headers=alice.headers)
    assert soon.status_code == 422
    assert (await client.put(path, json={}, headers=alice.headers)).status_code == 422

    assert (await client.delete(path, headers=alice.headers)).json() == {}
    assert (await client.get(path, headers=alice.headers)).status_code == 404
    listed = (await client.get("/api/v1/scheduled_statuses", headers=alice.headers)).json()
    assert [s["id"] for s in listed] == [second["id"]]
    await come_due(runtime)
    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    texts = await session_texts(runtime)
    assert texts == ["two"]  # the cancelled one never appears


async def session_texts(runtime: Runtime) -> list[str]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(Status.text).order_by(Status.id))).all())


async def test_the_list_pages_with_link_headers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    made = [await schedule(client, alice, f"post {i}", minutes=10 + i) for i in range(3)]
    first = await client.get("/api/v1/scheduled_statuses?limit=2", headers=alice.headers)
    assert [s["id"] for s in first.json()] == [made[2]["id"], made[1]["id"]]
    assert 'rel="next"' in first.headers["link"]
    nxt = first.headers["link"].split(";")[0].strip("<>")
    rest = await client.get(nxt.replace("http://localhost", ""), headers=alice.headers)
    assert [s["id"] for s in rest.json()] == [made[0]["id"]]


async def test_a_due_post_is_published_as_any_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, bob, alice)
    scheduled = await schedule(
        client,
        alice,
        "hello @bob",
        poll={"options": ["a", "b"], "expires_in": 300, "multiple": True},
    )
    assert await runtime.jobs.sweep() == 0  # not due yet
    assert await count(runtime, Status) == 0

    await come_due(runtime)
    assert await runtime.jobs.sweep() == 1
    await runtime.jobs.drain()
    (shown,) = await home(client, bob)  # fanned out to the follower
    assert shown["content"].startswith("<p>hello")
    assert shown["application"]["name"] == "Test app"
    assert shown["poll"]["multiple"] is True
    assert [o["title"] for o in shown["poll"]["options"]] == ["a", "b"]
    async with runtime.db.read() as session:
        (kind,) = (await session.scalars(select(Notification.type))).all()
    assert kind == "mention"
    assert await count(runtime, ScheduledStatus) == 0
    gone = await client.get(f"/api/v1/scheduled_statuses/{scheduled['id']}", headers=alice.headers)
    assert gone.status_code == 404


async def test_a_post_is_published_once_when_two_runs_race(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    scheduled = await schedule(client, alice, "only once")
    await come_due(runtime)
    await asyncio.gather(
        *(publish_scheduled(runtime, scheduled_status_id=int(scheduled["id"])) for _ in range(3))
    )
    assert await session_texts(runtime) == ["only once"]
    # And through the job system: the job, kicked by two sweeps, finds nothing left.
    await runtime.jobs.sweep()
    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    assert await session_texts(runtime) == ["only once"]


async def test_a_post_moved_later_waits_for_its_new_time(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    scheduled = await schedule(client, alice, "moved")
    path = f"/api/v1/scheduled_statuses/{scheduled['id']}"
    await client.put(path, json={"scheduled_at": ahead(120)}, headers=alice.headers)
    # The first job comes due; the post does not, so that job leaves it.
    past = utcnow() - timedelta(seconds=1)
    async with runtime.db.write() as session:
        first = await session.scalar(
            select(OutboxJob.id).where(OutboxJob.kind == PUBLISH_JOB).order_by(OutboxJob.id)
        )
        await session.execute(
            update(OutboxJob).where(OutboxJob.id == first).values(next_attempt_at=past)
        )
        await session.commit()
    assert await runtime.jobs.sweep() == 1
    await runtime.jobs.drain()
    assert await count(runtime, Status) == 0
    assert (await client.get(path, headers=alice.headers)).status_code == 200
    await come_due(runtime)
    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    assert await session_texts(runtime) == ["moved"]


async def test_a_post_whose_reply_target_is_gone_is_dropped(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    parent = (
        await client.post("/api/v1/statuses", json={"status": "parent"}, headers=alice.headers)
    ).json()
    await schedule(client, alice, "reply", in_reply_to_id=parent["id"])
    await client.delete(f"/api/v1/statuses/{parent['id']}", headers=alice.headers)
    await come_due(runtime)
    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    assert await session_texts(runtime) == []
    assert await count(runtime, ScheduledStatus) == 0


async def test_a_scheduled_post_survives_a_restart(
    app_client: AppClient, settings: Settings
) -> None:
    """Schedule, stop every process, let the time come, start again: the new process's
    sweep finds the job in the database and the post appears."""
    async with app_client() as (client, first):
        alice = await Factory(first).user("alice")
        await schedule(client, alice, "after the restart")
        await schedule(
            client, alice, "with a poll", poll={"options": ["a", "b"], "expires_in": 300}
        )
    # Every process has stopped: only the database remembers.
    restarted = Runtime(settings)
    await come_due(restarted)
    await restarted.start(sweep=True)  # as `roost serve` or `roost worker` starts
    try:
        for _ in range(200):
            if len(await session_texts(restarted)) == 2:
                break
            await asyncio.sleep(0.05)
        await restarted.jobs.drain()
        assert sorted(await session_texts(restarted)) == ["after the restart", "with a poll"]
        assert await count(restarted, ScheduledStatus) == 0
        async with restarted.db.read() as session:
            (poll,) = (await session.scalars(select(Poll))).all()
            assert poll.expires_at.replace(tzinfo=UTC) > datetime.now(UTC)
    finally:
        await restarted.stop()


async def test_twenty_five_a_day_at_most(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    day = (utcnow() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    async with runtime.db.write() as session:
        session.add_all(
            ScheduledStatus(
                id=n + 1,
                account_id=alice.account.id,
                scheduled_at=day + timedelta(minutes=n),
                params={"text": f"n{n}"},
            )
            for n in range(25)
        )
        await session.commit()
    response = await client.post(
        "/api/v1/statuses",
        json={"status": "one more", "scheduled_at": (day + timedelta(hours=1)).isoformat()},
        headers=alice.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"] == (
        "Validation failed: You have exceeded the limit of 25 scheduled posts for that day"
    )
    next_day = (day + timedelta(days=1)).isoformat()
    other = await client.post(
        "/api/v1/statuses",
        json={"status": "the day after", "scheduled_at": next_day},
        headers=alice.headers,
    )
    assert other.status_code == 200
    moved = await client.put(
        f"/api/v1/scheduled_statuses/{other.json()['id']}",
        json={"scheduled_at": (day + timedelta(hours=2)).isoformat()},
        headers=alice.headers,
    )
    assert moved.status_code == 422  # that day is full


async def test_two_workers_publish_a_due_post_once(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, settings: Settings
) -> None:
    """Two more processes (runtimes with their own connections; with Redis, two queue
    consumers) sweep at once and each runs the job itself: one status."""
    alice = await factory.user("alice")
    await schedule(client, alice, "exactly once")
    await come_due(runtime)
    async with runtime.db.read() as session:
        job_id = await session.scalar(select(OutboxJob.id).where(OutboxJob.kind == PUBLISH_JOB))
    assert job_id is not None
    workers = [Runtime(settings), Runtime(settings)]
    for worker in workers:
        await worker.start(sweep=False)
    try:
        await asyncio.gather(*(worker.jobs.sweep() for worker in workers))
        await asyncio.gather(*(worker.jobs.run_job(job_id) for worker in workers))
        for worker in workers:
            await worker.jobs.drain()
    finally:
        for worker in workers:
            await worker.stop()
    assert await session_texts(runtime) == ["exactly once"]
    assert await count(runtime, ScheduledStatus) == 0
