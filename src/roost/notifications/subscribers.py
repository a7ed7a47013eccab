"""The bell: a ``status`` notification to each follower who asked to be told when an
account posts (``Follow.notify``), sent by a job after the post commits so a post
with many subscribers costs its author nothing more.

As on Mastodon (``FeedInsertWorker#notify?``): new posts and self-replies ring it;
boosts, replies to others and direct posts do not. Followers who block, are blocked
by or mute the author are left out (``relations.subscribers_of``); ``notify`` also
skips those muting the author's notifications.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import commit
from roost.follows.relations import subscribers_of
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
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


def schedule_notify_subscribers(session: AsyncSession, runtime: Runtime, status: Status) -> None:
    """Tell the author's subscribers of ``status`` once this transaction commits."""
    if rings_the_bell(status):
        schedule_job(session, runtime, "notify_subscribers", status_id=status.id)


@job("notify_subscribers")
async def notify_subscribers(runtime: Runtime, *, status_id: int) -> None:
    async with runtime.db.read() as session:
        status = await session.get(Status, status_id)
        if status is None or not rings_the_bell(status):  # deleted before the job ran
            return
        author_id = status.account_id
        subscribers = sorted((await session.scalars(subscribers_of(author_id))).all())
    for start in range(0, len(subscribers), BATCH):
        async with runtime.db.write() as session:
            for subscriber_id in subscribers[start : start + BATCH]:
                # notify() skips one already sent, so a job run twice tells nobody twice.
                await notify(
                    session=session,
                    runtime=runtime,
                    recipient_id=subscriber_id,
                    actor_id=author_id,
                    type="status",
                    status_id=status_id,
                )
            await commit(session)
