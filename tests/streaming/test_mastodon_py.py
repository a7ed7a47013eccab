"""Mastodon.py's own SSE streaming client reads Roost's streams.

Mastodon.py is synchronous and reads in a thread; the server runs in this test's
event loop, so every call into Mastodon.py goes through ``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import httpx
from mastodon import Mastodon, StreamListener

from roost.runtime import Runtime
from roost.streaming.publish import (
    publish_delete,
    publish_home_update,
    publish_notification,
    publish_public,
)
from tests.factories import Factory, User
from tests.streaming.helpers import WAIT
from tests.streaming.test_sse import post


class Recorder(StreamListener):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.connected = threading.Event()
        self.errors: list[Exception] = []
        self._arrived = threading.Condition()

    def _record(self, name: str, payload: Any) -> None:
        with self._arrived:
            self.events.append((name, payload))
            self._arrived.notify_all()

    def handle_heartbeat(self) -> None:
        self.connected.set()

    def on_update(self, status: Any) -> None:
        self._record("update", status)

    def on_notification(self, notification: Any) -> None:
        self._record("notification", notification)

    def on_delete(self, status_id: Any) -> None:
        self._record("delete", status_id)

    def on_abort(self, err: Exception) -> None:
        self.errors.append(err)

    def _wait(self, count: int) -> None:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.events) >= count, WAIT)

    async def wait_for(self, count: int) -> list[tuple[str, Any]]:
        await asyncio.to_thread(self._wait, count)
        assert not self.errors, self.errors
        return self.events


@asynccontextmanager
async def streaming(
    server: str, user: User | None, method: str, *args: Any, **kwargs: Any
) -> AsyncIterator[Recorder]:
    api = await asyncio.to_thread(
        Mastodon, access_token=user.token if user else None, api_base_url=server
    )
    recorder = Recorder()
    start = partial(getattr(api, method), *args, recorder, run_async=True, **kwargs)
    handle = await asyncio.to_thread(start)
    try:
        assert await asyncio.to_thread(recorder.connected.wait, WAIT), "stream never opened"
        yield recorder
    finally:
        # requests' close() waits for the reading thread's next chunk: do not block on it;
        # the server's shutdown ends the connection at the latest.
        threading.Thread(target=handle.close, daemon=True).start()


async def test_stream_user_gets_updates_notifications_and_deletes(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    async with streaming(server, alice, "stream_user") as recorder:
        status_id = await post(client, alice, "from Mastodon.py's point of view")
        await publish_home_update(runtime, [alice.account.id], status_id)
        await post(client, bob, "@alice hello")
        [note] = (await client.get("/api/v1/notifications", headers=alice.headers)).json()
        await publish_notification(runtime, alice.account.id, int(note["id"]))
        await publish_delete(runtime, status_id)
        events = await recorder.wait_for(3)
    assert [name for name, _ in events] == ["update", "notification", "delete"]
    update, notification, deleted = (payload for _, payload in events)
    assert str(update.id) == str(status_id)
    assert update.account.username == "alice"
    assert "point of view" in update.content
    assert notification.type == "mention"
    assert notification.account.username == "bob"
    assert str(deleted) == str(status_id)


async def test_stream_public_and_hashtag(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    async with (
        streaming(server, None, "stream_public") as public,
        streaming(server, None, "stream_public", local=True) as local,
        streaming(server, alice, "stream_hashtag", "birds") as birds,
    ):
        status_id = await post(client, alice, "a #Birds post")
        await publish_public(runtime, status_id)
        for recorder in (public, local, birds):
            [(name, status)] = await recorder.wait_for(1)
            assert (name, str(status.id)) == ("update", str(status_id))
            assert status.tags[0].name == "Birds"
