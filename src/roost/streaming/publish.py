"""What services call AFTER COMMIT to tell open streams that something happened.

Messages carry ids only; each stream loads and renders the item for its own
subscriber (``render.py``). Publishing is best effort: a stream is a live view of
data that is already committed and readable, so a failure here is logged and
never fails the action that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from roost.core.ids import new_id
from roost.media.attach import has_media
from roost.statuses.models import Status, StatusTag, Tag
from roost.streaming.bus import Event
from roost.streaming.streams import (
    DELETE,
    PUBLIC,
    PUBLIC_LOCAL,
    PUBLIC_LOCAL_MEDIA,
    PUBLIC_MEDIA,
    author_channel,
    direct_channel,
    hashtag_channel,
    list_channel,
    normalize_tag,
    user_channel,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)


async def _send(runtime: Runtime, events: Sequence[Event]) -> None:
    if not events:
        return
    try:
        await runtime.bus.publish_many(events)
    except Exception:
        log.exception("publishing %s stream events failed", len(events))


async def publish_home_update(runtime: Runtime, owner_ids: Iterable[int], status_id: int) -> None:
    """``status_id`` entered the home timelines of ``owner_ids`` (their ``user`` streams).

    A fan-out calls this for each batch of up to ``fanout_batch`` owners, most of whom
    have no stream open: the bus sends it with one call that publishes only to the
    streams that are open (``Bus.publish_each``).
    """
    channels = [user_channel(owner) for owner in dict.fromkeys(owner_ids)]
    if not channels:
        return
    try:
        await runtime.bus.publish_each(channels, {"event": "update", "id": str(status_id)})
    except Exception:
        log.exception("publishing a home update to %s streams failed", len(channels))


async def publish_list_update(runtime: Runtime, list_ids: Iterable[int], status_id: int) -> None:
    """``status_id`` entered these list timelines (their ``list`` streams)."""
    channels = [list_channel(list_id) for list_id in dict.fromkeys(list_ids)]
    if not channels:
        return
    try:
        await runtime.bus.publish_each(channels, {"event": "update", "id": str(status_id)})
    except Exception:
        log.exception("publishing a list update to %s streams failed", len(channels))


async def publish_filters_changed(runtime: Runtime, account_id: int) -> None:
    """The person's filters changed: their ``user`` streams say so (Mastodon's
    ``filters_changed``), so a client that matches on its own side reloads them. Each
    message has an id of its own, so a stream passes on every one."""
    event = {"event": "filters_changed", "id": str(new_id())}
    await _send(runtime, [(user_channel(account_id), event)])


async def publish_author_update(runtime: Runtime, author_id: int, status_id: int) -> None:
    """A post of an account too big to fan out to: one message for the ``user`` streams
    of all its followers."""
    await _send(runtime, [(author_channel(author_id), {"event": "update", "id": str(status_id)})])


async def publish_public(
    runtime: Runtime, status_id: int, tags: Iterable[str] | None = None, *, event: str = "update"
) -> None:
    """A new status (or, with ``event`` "status.update", an edited one), to the public
    and hashtag streams if it belongs there.

    Only public posts (not boosts) stream; replies to someone else stay off the
    public streams, as they stay off the public timeline, but reach hashtag
    streams; one with media also reaches the media streams. ``tags`` are the post's
    hashtags (loaded when not given).
    """
    try:
        async with runtime.db.read() as session:
            status = await session.get(Status, status_id)
            if status is None or status.visibility != "public" or status.reblog_of_id:
                return
            if tags is None:
                tags = list(
                    await session.scalars(
                        select(Tag.name)
                        .join(StatusTag, StatusTag.tag_id == Tag.id)
                        .where(StatusTag.status_id == status_id)
                    )
                )
            with_media = await has_media(session, status_id)
    except Exception:
        log.exception("loading status %s to publish it failed", status_id)
        return
    message = {"event": event, "id": str(status_id)}
    channels: list[str] = []
    if status.in_reply_to_account_id in (None, status.account_id):
        channels += [PUBLIC, PUBLIC_LOCAL]
        if with_media:
            channels += [PUBLIC_MEDIA, PUBLIC_LOCAL_MEDIA]
    for tag in dict.fromkeys(normalize_tag(t) for t in tags):
        if tag:
            channels += [hashtag_channel(tag, local=False), hashtag_channel(tag, local=True)]
    await _send(runtime, [(channel, message) for channel in channels])


async def publish_status_update(
    runtime: Runtime,
    status_id: int,
    *,
    owner_ids: Iterable[int],
    author_id: int | None,
    public: bool,
) -> None:
    """An edited status (``status.update``): to the ``user`` streams of ``owner_ids``
    that are open, to the author channel of a big ``author_id``, and when ``public`` to
    the public and hashtag streams (as ``publish_public`` chose them for the post)."""
    message = {"event": "status.update", "id": str(status_id)}
    channels = [user_channel(owner) for owner in dict.fromkeys(owner_ids)]
    if channels:
        try:
            await runtime.bus.publish_each(channels, message)
        except Exception:
            log.exception("publishing an edit to %s streams failed", len(channels))
    if author_id is not None:
        await _send(runtime, [(author_channel(author_id), message)])
    if public:
        await publish_public(runtime, status_id, event="status.update")


async def publish_notification(runtime: Runtime, recipient_id: int, notification_id: int) -> None:
    """A new notification for ``recipient_id`` (``user`` and ``user:notification`` streams)."""
    message = {"event": "notification", "id": str(notification_id)}
    await _send(runtime, [(user_channel(recipient_id), message)])


async def publish_conversation(runtime: Runtime, owner_id: int, conversation_id: int) -> None:
    """One of ``owner_id``'s conversations changed (their ``direct`` streams); the id is
    the owner's AccountConversation."""
    message = {"event": "conversation", "id": str(conversation_id)}
    await _send(runtime, [(direct_channel(owner_id), message)])


async def publish_delete(runtime: Runtime, status_id: int) -> None:
    """A status (or a boost) is gone: every open stream passes the id on."""
    await _send(runtime, [(DELETE, {"event": "delete", "id": str(status_id)})])
