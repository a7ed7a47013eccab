"""Opening a stream: check who may open it, and get its timeline ready."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from roost.core.errors import NotFound
from roost.lists.lookup import owned_list
from roost.streaming.render import Renderer, StreamState
from roost.streaming.streams import open_stream
from roost.timelines.rebuild import ensure_home, ensure_list
from roost.timelines.service import followed_big_accounts

if TYPE_CHECKING:
    from roost.deps import Viewer
    from roost.runtime import Runtime


async def start_stream(
    *,
    runtime: Runtime,
    viewer: Viewer,
    name: str | None,
    tag: str | None = None,
    list_id: str | None = None,
) -> StreamState:
    """The stream ``name`` for ``viewer`` (raises the error Mastodon gives otherwise).

    A ``user`` stream shows deliveries into the home timeline, and only a live
    timeline receives deliveries (with Redis, an idle one is dropped), so opening
    the stream makes the timeline live, as reading it would. It also listens to the
    followed accounts too big to fan out to (a follow made later is heard by the next
    stream opened).
    """
    stream = open_stream(name, viewer=viewer, tag=tag, list_id=list_id)
    if stream.name == "list" and stream.account_id is not None and stream.tag is not None:
        async with runtime.db.read() as session:
            found = await owned_list(session, owner_id=stream.account_id, list_id=int(stream.tag))
        if found is None:
            raise NotFound()
        await ensure_list(runtime, found.id, found.account_id)  # live: deliveries reach it
    if stream.name == "user" and stream.account_id is not None:
        await ensure_home(runtime, stream.account_id)
        async with runtime.db.read() as session:
            big = await followed_big_accounts(
                session, stream.account_id, runtime.settings.fanout_limit
            )
        stream = replace(stream, big_followees=frozenset(big))
    return StreamState(stream, Renderer(runtime, viewer.account_id))
