"""The bell: a ``status`` notification to each follower who asked to be told when an
account posts (``Follow.notify``). The fan-out job of the post tells them
(``timelines/fanout.py``, after commit, as Mastodon's fan-out does), so a post with
many subscribers costs its author nothing more and costs no job of its own.

As on Mastodon (``FeedInsertWorker#notify?``): new posts and self-replies ring it;
boosts, replies to others and direct posts do not. Followers who block, are blocked
by or mute the author are left out (``relations.subscribers_of``); ``notify`` also
skips those muting the author's notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roost.core.db import commit
from roost.follows.relations import subscribers_of
from roost.notifications.service import notify
from roost.statuses.models import Status

if TYPE_CHECKING:
    from roost.runtime import Runtime

BATCH = 200  # notifications per transaction


def rings_the_bell(status: Status) -> bool:
    """Whether subscribers hear of this post."""
    return (
        status.reblog_of_id is None
        and status.visibility != "direct"
        and status.in_reply_to_account_id in (None, status.account_id)
    )


async def notify_subscribers(runtime: Runtime, *, status_id: int, author_id: int) -> None:
    """Tell the author's subscribers of the post (the caller checked ``rings_the_bell``).
    Run twice, it tells nobody twice: ``notify`` skips a notification that exists."""
    async with runtime.db.read() as session:
        subscribers = sorted((await session.scalars(subscribers_of(author_id))).all())
    for start in range(0, len(subscribers), BATCH):
        async with runtime.db.write() as session:
            if await session.get(Status, status_id) is None:  # deleted meanwhile
                return
            for subscriber_id in subscribers[start : start + BATCH]:
                await notify(
                    session=session,
                    runtime=runtime,
                    recipient_id=subscriber_id,
                    actor_id=author_id,
                    type="status",
                    status_id=status_id,
                )
            await commit(session)
