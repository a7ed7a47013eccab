"""v2 uploads above ROOST_MEDIA_ASYNC_ABOVE_BYTES: 202 at once, processed by a job, 206
while it runs, 200 when done; a refused one answers 422 and leaves no file."""

from __future__ import annotations

import asyncio

import httpx

from roost.jobs.queue import QueueJobRunner
from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import Factory, User
from tests.media import images
from tests.media.conftest import MediaApp, upload


async def until_processed(client: httpx.AsyncClient, user: User, media_id: str) -> httpx.Response:
    """Poll ``GET /api/v1/media/:id`` as an app does, until it is no longer 206."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        response = await client.get(f"/api/v1/media/{media_id}", headers=user.headers)
        if response.status_code != 206 or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.05)


async def test_202_then_206_then_200_through_the_job_queue(
    app_client: AppClient, redis_url: str
) -> None:
    """With the job queue and no worker consuming it yet, the upload waits: 206 is
    certain; then a worker (the code ``roost worker`` runs) takes the job."""
    changes = {"redis_url": redis_url, "serve_runs_jobs": False, "media_async_above_bytes": 1000}
    async with app_client(**changes) as (client, runtime):
        alice = await Factory(runtime).user("alice")
        photo = images.noise((300, 200))
        assert len(photo) > 1000
        accepted = await upload(client, alice, photo, description="later", focus="0.5,0.5")
        assert accepted.status_code == 202
        media = accepted.json()
        assert media["url"] is None and media["preview_url"] is None
        assert media["description"] == "later"
        assert media["meta"] == {"focus": {"x": 0.5, "y": 0.5}}
        root = runtime.settings.data_dir / "media"
        incoming = list((root / "incoming").rglob("*.upload"))
        assert len(incoming) == 1  # the upload as received, waiting (never served)
        url = f"http://localhost/system/{incoming[0].relative_to(root)}"
        assert (await client.get(url)).status_code == 404

        waiting = await client.get(f"/api/v1/media/{media['id']}", headers=alice.headers)
        assert waiting.status_code == 206 and waiting.json()["url"] is None
        described = await client.put(
            f"/api/v1/media/{media['id']}", data={"description": "now"}, headers=alice.headers
        )
        assert described.status_code == 206 and described.json()["description"] == "now"

        assert isinstance(runtime.jobs, QueueJobRunner)
        runtime.jobs.consume()
        done = await until_processed(client, alice, media["id"])
        assert done.status_code == 200
        body = done.json()
        assert body["url"].endswith(".png") and body["preview_url"].endswith(".jpg")
        assert body["meta"]["original"]["size"] == "300x200"
        assert body["description"] == "now"
        await runtime.jobs.drain()
        assert not incoming[0].exists()  # removed once processed
        assert (await client.get(body["url"])).status_code == 200


async def test_the_job_runs_in_this_process_without_a_worker(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    runtime.settings.media_async_above_bytes = 1000
    alice = await factory.user("alice")
    accepted = await upload(client, alice, images.noise((300, 200)))
    assert accepted.status_code == 202 and accepted.json()["url"] is None
    await runtime.jobs.drain()
    done = await client.get(f"/api/v1/media/{accepted.json()['id']}", headers=alice.headers)
    assert done.status_code == 200 and done.json()["url"] is not None
    # v1 never hands over: it answers when the files are made.
    v1 = await upload(client, alice, images.noise((300, 200)), version=1)
    assert v1.status_code == 200 and v1.json()["url"] is not None


async def test_a_refused_large_file_answers_422_and_leaves_nothing(media_app: MediaApp) -> None:
    media_app.runtime.settings.media_async_above_bytes = 1000
    alice = await media_app.factory.user("alice")
    accepted = await upload(media_app.client, alice, images.truncated_png(), name="cut.png")
    assert accepted.status_code == 202
    assert [key.split("/")[0] for key in media_app.stored()] == ["incoming"]
    await media_app.runtime.jobs.drain()
    failed = await until_processed(media_app.client, alice, accepted.json()["id"])
    assert failed.status_code == 422
    assert failed.json() == {"error": "The image is damaged or incomplete"}
    assert media_app.stored() == []
    # Still the person's to delete (or the cleanup's, a day later).
    path = f"/api/v1/media/{accepted.json()['id']}"
    assert (await media_app.client.delete(path, headers=alice.headers)).status_code == 200
