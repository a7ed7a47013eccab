"""Uploads no post takes expire with their files; the cleanup job keeps itself going."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from roost.core.db import as_utc, utcnow
from roost.jobs.models import OutboxJob
from roost.media import service
from roost.media.cleanup import CLEANUP_JOB
from roost.media.jobs import clean_up_media
from roost.media.models import MediaAttachment
from roost.runtime import Runtime
from tests.factories import Factory
from tests.media import images
from tests.media.conftest import MediaApp, upload


async def cleanup_jobs(runtime: Runtime) -> list[OutboxJob]:
    async with runtime.db.read() as session:
        return list(await session.scalars(select(OutboxJob).where(OutboxJob.kind == CLEANUP_JOB)))


async def test_unattached_uploads_expire_with_their_files(media_app: MediaApp) -> None:
    client, runtime = media_app.client, media_app.runtime
    alice = await media_app.factory.user("alice")
    old, taken, fresh = [
        (await upload(client, alice, images.picture(color=(n, 0, 0)))).json() for n in (1, 2, 3)
    ]
    status = await client.post("/api/v1/statuses", json={"status": "hi"}, headers=alice.headers)
    day_ago = utcnow() - timedelta(seconds=runtime.settings.media_unattached_seconds + 60)
    async with runtime.db.write() as session:
        await session.execute(
            update(MediaAttachment)
            .where(MediaAttachment.id.in_([int(old["id"]), int(taken["id"])]))
            .values(created_at=day_ago)
        )
        await session.execute(
            update(MediaAttachment)
            .where(MediaAttachment.id == int(taken["id"]))
            .values(status_id=int(status.json()["id"]))
        )
        await session.commit()
    assert len(media_app.stored()) == 6

    await clean_up_media(runtime)  # the job, as the sweep runs it

    async with runtime.db.read() as session:
        left = set(await session.scalars(select(MediaAttachment.id)))
    assert left == {int(taken["id"]), int(fresh["id"])}
    kept = media_app.stored()
    assert len(kept) == 4
    assert not any(f"/{old['id']}/" in key for key in kept)
    for media in (taken, fresh):
        assert sum(f"/{media['id']}/" in key for key in kept) == 2
    # It runs again within the hour (the lifetime is a day).
    (next_run,) = await cleanup_jobs(runtime)
    assert timedelta(minutes=59) < as_utc(next_run.next_attempt_at) - utcnow() <= timedelta(hours=1)


async def test_uploads_start_the_cleanup_once_and_it_stops_when_done(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """No upload, no job; uploads schedule one run; each run schedules the next while
    unattached uploads remain, and none once they are gone."""
    assert await cleanup_jobs(runtime) == []
    alice = await factory.user("alice")
    media = [(await upload(client, alice, images.picture())).json() for _ in range(2)]
    (first,) = await cleanup_jobs(runtime)  # two uploads, one run waiting

    await due_now(runtime, first.id)
    await runtime.jobs.run_job(first.id)  # as the sweep runs it once due: nothing expired
    (second,) = await cleanup_jobs(runtime)  # uploads remain: it comes back in an hour
    assert second.id != first.id and as_utc(second.next_attempt_at) > utcnow()

    for item in media:
        await client.delete(f"/api/v1/media/{item['id']}", headers=alice.headers)
    await due_now(runtime, second.id)
    await runtime.jobs.run_job(second.id)
    assert await cleanup_jobs(runtime) == []  # nothing left to clean: no more runs


async def due_now(runtime: Runtime, job_id: int) -> None:
    async with runtime.db.write() as session:
        await session.execute(
            update(OutboxJob).where(OutboxJob.id == job_id).values(next_attempt_at=utcnow())
        )
        await session.commit()


async def test_files_go_only_when_no_row_names_them(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """``delete_media_files`` (also for the other features: deleted posts, replaced
    avatars) keeps a file some row still names."""
    alice = await factory.user("alice")
    media = (await upload(client, alice, images.picture())).json()
    async with runtime.db.read() as session:
        row = await session.get(MediaAttachment, int(media["id"]))
    assert row is not None and row.file_key and row.thumbnail_key
    await service.delete_media_files(runtime=runtime, keys=[row.file_key, row.thumbnail_key])
    assert (await client.get(media["url"])).status_code == 200  # still named: kept
    async with runtime.db.write() as session:
        await session.execute(
            update(MediaAttachment).where(MediaAttachment.id == row.id).values(file_key=None)
        )
        await session.commit()
    await service.delete_media_files(runtime=runtime, keys=[row.file_key, "gone/nothing.png"])
    assert (await client.get(media["url"])).status_code == 404
    assert (await client.get(media["preview_url"])).status_code == 200


async def test_a_failed_commit_leaves_no_file(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = await factory.user("alice")

    async def lost_database(session: object) -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(service, "commit", lost_database)
    answer = await upload(client, alice, images.picture())
    assert answer.status_code == 503  # the client may try again (core/failures.py)
    assert "retry-after" in answer.headers
    assert list((runtime.settings.data_dir / "media").rglob("*.*")) == []
    async with runtime.db.read() as session:
        assert list(await session.scalars(select(MediaAttachment.id))) == []
