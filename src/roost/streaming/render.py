"""Turn a bus message (ids only) into what one subscriber may see, or nothing.

Every open stream renders for its own subscriber, after the same privacy checks
as every other read path (DESIGN hard problem 5): a followers-only post reaches
followers and nobody else, a blocked or muted author never streams, and the
``favourited``/``reblogged`` flags are the subscriber's own.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import select

from roost.conversations.models import AccountConversation
from roost.conversations.render import render_conversations
from roost.core.errors import NotFound
from roost.notifications.render import render_notifications
from roost.notifications.service import get_notification
from roost.statuses.models import Status
from roost.statuses.render import load_originals, render_statuses
from roost.statuses.visibility import filter_visible, load_audience
from roost.streaming.bus import Message
from roost.streaming.streams import Stream
from roost.timelines.recipients import admits

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

# A stream forgets which updates it already sent after this many.
REMEMBERED = 512


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class Renderer:
    """Renders statuses and notifications for one subscriber (``viewer_id``)."""

    def __init__(self, runtime: Runtime, viewer_id: int | None) -> None:
        self.runtime = runtime
        self.db = runtime.db
        self.viewer_id = viewer_id

    async def status(self, status_id: int, *, public_only: bool) -> str | None:
        async with self.db.read() as session:
            status = await session.get(Status, status_id)
            if status is None:  # deleted meanwhile
                return None
            if public_only and (status.visibility != "public" or status.reblog_of_id is not None):
                return None
            originals = await load_originals(session, [status])
            authors = {status.account_id} | {o.account_id for o in originals.values()}
            audience = await load_audience(session, self.viewer_id, among=authors)
            visible = await filter_visible(session, audience, [status], originals)
            if not visible:
                return None
            rendered = await render_statuses(
                session,
                visible,
                self.viewer_id,
                runtime=self.runtime,
                context="public" if public_only else "home",
            )
        return _json(rendered[0]) if rendered else None  # none: deleted, or filtered out

    async def followed_status(self, status_id: int) -> str | None:
        """A big account's post (author channel): rendered if it belongs in the
        subscriber's home timeline, as the read-time merge would bring it in."""
        if self.viewer_id is None:
            return None
        async with self.db.read() as session:
            status = await session.get(Status, status_id)
            if status is None or not await admits(session, self.viewer_id, status.id):
                return None
        return await self.status(status_id, public_only=False)

    async def conversation(self, conversation_id: int) -> str | None:
        """One of the subscriber's own conversations, as ``/api/v1/conversations`` shows it."""
        if self.viewer_id is None:
            return None
        async with self.db.read() as session:
            conversation = await session.scalar(
                select(AccountConversation).where(
                    AccountConversation.id == conversation_id,
                    AccountConversation.account_id == self.viewer_id,
                )
            )
            if conversation is None:  # removed meanwhile, or someone else's
                return None
            rendered = await render_conversations(
                session, [conversation], self.viewer_id, runtime=self.runtime
            )
        return _json(rendered[0])

    async def notification(self, notification_id: int) -> str | None:
        if self.viewer_id is None:
            return None
        async with self.db.read() as session:
            try:  # shown by the rule every listing applies (blocks, mutes, moderation)
                notification = await get_notification(
                    session=session, viewer_id=self.viewer_id, notification_id=notification_id
                )
            except NotFound:
                return None
            rendered = await render_notifications(
                session, [notification], self.viewer_id, runtime=self.runtime
            )
        return _json(rendered[0]) if rendered else None


class StreamState:
    """One open stream: what it is, who renders for it, and what it has sent lately.

    Publishing is at-least-once upstream (a retried job publishes again), so each
    stream passes on an update, notification or delete of one id only once.
    """

    def __init__(self, stream: Stream, renderer: Renderer) -> None:
        self.stream = stream
        self.renderer = renderer
        self._sent: deque[tuple[str, int]] = deque(maxlen=REMEMBERED)

    async def render(self, channel: str, message: Message) -> tuple[str, str] | None:
        """``(event, payload)`` to send for a bus message, or None to send nothing."""
        if channel not in self.stream.channels:
            return None
        event = message.get("event")
        if not isinstance(event, str) or not self.stream.accepts(event):
            return None
        try:
            item_id = int(str(message.get("id")))
        except ValueError:
            log.warning("ignoring a bus message without a valid id: %r", message)
            return None
        # Each edit is news: a status.update is passed on every time, the rest once.
        if event != "status.update" and (event, item_id) in self._sent:
            return None
        payload: str | None = None
        if event == "delete":
            payload = str(item_id)
        elif event == "filters_changed":
            payload = "undefined"  # what Mastodon's streaming server sends: no payload
        elif event == "notification":
            payload = await self.renderer.notification(item_id)
        elif event == "conversation":
            payload = await self.renderer.conversation(item_id)
        elif event in ("update", "status.update") and channel.startswith("author:"):
            payload = await self.renderer.followed_status(item_id)
        elif event in ("update", "status.update"):
            payload = await self.renderer.status(item_id, public_only=self.stream.is_public)
        if payload is None:
            return None
        if event != "conversation":  # a conversation changes again and again: each one counts
            self._sent.append((event, item_id))
        return event, payload
