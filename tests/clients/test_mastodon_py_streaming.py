"""Mastodon.py's streaming client (server-sent events) against a live server."""

from __future__ import annotations

import threading
import time
from typing import Any

from mastodon import StreamListener

from tests.clients.helpers import SignUp


class Recorder(StreamListener):
    """Keeps what the stream delivered; ``changed`` fires on every event."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[str] = []
        self.deletes: list[str] = []
        self.notifications: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def _record(self, into: list[Any], item: Any) -> None:
        with self.changed:
            into.append(item)
            self.changed.notify_all()

    def on_update(self, status: Any) -> None:
        self._record(self.updates, str(status.id))

    def on_delete(self, status_id: Any) -> None:
        self._record(self.deletes, str(status_id))

    def on_notification(self, notification: Any) -> None:
        self._record(self.notifications, (notification.type, str(notification.account.id)))

    def wait_for(self, seen: Any, timeout: float = 5.0) -> bool:
        with self.changed:
            return self.changed.wait_for(seen, timeout=timeout)


def test_user_stream_delivers_updates_notifications_and_deletes(sign_up: SignUp) -> None:
    pia, rob = sign_up("pia"), sign_up("rob")
    assert pia.api.stream_healthy()
    pia.api.account_follow(rob.id)
    listener = Recorder()
    handle = pia.api.stream_user(listener, run_async=True, reconnect_async=False)
    try:
        # run_async connects in the background: post once the stream is connected,
        # which Roost answers only when it listens (streaming/sse.py).
        deadline = time.monotonic() + 10
        while not handle.is_receiving():
            assert handle.is_alive() and time.monotonic() < deadline, "never connected"
            time.sleep(0.02)
        own = pia.api.status_post("Streaming my own words")
        assert listener.wait_for(lambda: own.id in listener.updates), listener.updates
        theirs = rob.api.status_post("Rob streams too")
        assert listener.wait_for(lambda: theirs.id in listener.updates), listener.updates

        rob.api.account_follow(pia.id)
        assert listener.wait_for(lambda: ("follow", rob.id) in listener.notifications)

        rob.api.status_delete(theirs.id)
        assert listener.wait_for(lambda: theirs.id in listener.deletes), listener.deletes
        assert listener.updates.count(own.id) == 1
    finally:
        handle.close()
