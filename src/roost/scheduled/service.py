"""Scheduled posts (Mastodon's ScheduledStatus): kept until their time, then
published by a job through ``post_status``, as any post is.

The publishing job waits in the outbox until ``scheduled_at`` (jobs/outbox.py), so
a restart of any process loses nothing. It deletes the scheduled row in the same
transaction that posts the status: when two runs race (two workers, a kick and a
sweep), the second finds no row to delete and posts nothing. Moving a post to
another time schedules a job for that time; a job that finds its post moved later
leaves it to that job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import as_utc, commit, utcnow
from roost.core.errors import NotFound, RateLimited, RoostError, Unprocessable
from roost.core.ids import new_id
from roost.core.paging import Page, Window, paginate
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.media.attach import attach_media, check_media
from roost.polls.schemas import PollIn
from roost.polls.service import check_poll
from roost.scheduled.models import ScheduledStatus
from roost.statuses.lookup import get_visible_original
from roost.statuses.service import check_post, post_status

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

PUBLISH_JOB = "publish_scheduled_status"
MIN_LEAD = timedelta(minutes=5)
# Mastodon's limits: scheduled posts waiting per account, and per day of publication.
TOTAL_LIMIT = 300
DAILY_LIMIT = 25
MIN_YEAR, MAX_YEAR = 1, 9999


def parse_time(value: str) -> datetime:
    """A client's ``scheduled_at`` (ISO 8601; without a zone, UTC)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise Unprocessable("Validation failed: Scheduled at is not a date and time") from exc
    if not MIN_YEAR < parsed.year < MAX_YEAR:  # room for the day's bounds and time zones
        raise Unprocessable("Validation failed: Scheduled at is not a date and time")
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _in_the_future(value: str) -> datetime:
    when = parse_time(value)
    if when <= utcnow() + MIN_LEAD:
        raise Unprocessable(
            "Validation failed: Scheduled at The scheduled date must be in the future"
        )
    return when


async def schedule_status(
    *,
    session: AsyncSession,
    runtime: Runtime,
    author: Account,
    app_id: int | None,
    scheduled_at: str,
    text: str | None,
    visibility: str | None = None,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    in_reply_to_id: int | None = None,
    media_ids: Sequence[int] = (),
    poll: PollIn | None = None,
) -> ScheduledStatus:
    """Keep a post to publish at ``scheduled_at`` (at least five minutes ahead); it is
    checked now as ``post_status`` will check it then. Its media are held for it
    (media/attach.py) until then, and attached to the post it becomes."""
    when = _in_the_future(scheduled_at)
    check_post((text or "").strip(), (spoiler_text or "").strip(), language, bool(media_ids))
    if poll is not None:
        check_poll(poll, settings=runtime.settings)
    media = await check_media(
        session=session, owner_id=author.id, media_ids=media_ids, has_poll=poll is not None
    )
    if in_reply_to_id is not None:
        await get_visible_original(session, author.id, in_reply_to_id)
    await _check_limits(session, author.id, when)
    row = ScheduledStatus(
        id=new_id(),
        account_id=author.id,
        application_id=app_id,
        scheduled_at=when,
        created_at=utcnow(),
        params={
            "text": text or "",
            "poll": poll.params() if poll is not None else None,
            "media_ids": [str(m.id) for m in media] or None,
            "sensitive": sensitive,
            "spoiler_text": spoiler_text,
            "visibility": visibility,
            "language": language,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
            "in_reply_to_id": str(in_reply_to_id) if in_reply_to_id is not None else None,
            "application_id": app_id,
        },
    )
    session.add(row)
    await session.flush()
    attach_media(media, scheduled_status_id=row.id)
    schedule_job(session, runtime, PUBLISH_JOB, run_at=when, scheduled_status_id=row.id)
    await commit(session)
    return row


async def _check_limits(
    session: AsyncSession, account_id: int, when: datetime, *, adding: bool = True
) -> None:
    """Mastodon's limits: ``TOTAL_LIMIT`` waiting (when ``adding`` one), ``DAILY_LIMIT``
    on the day of ``when``."""
    mine = select(func.count()).select_from(ScheduledStatus)
    mine = mine.where(ScheduledStatus.account_id == account_id)
    if adding and (await session.scalar(mine) or 0) >= TOTAL_LIMIT:
        raise Unprocessable(
            f"Validation failed: You have exceeded the limit of {TOTAL_LIMIT} scheduled posts"
        )
    day = when.replace(hour=0, minute=0, second=0, microsecond=0)
    that_day = mine.where(
        ScheduledStatus.scheduled_at >= day,
        ScheduledStatus.scheduled_at < day + timedelta(days=1),
    )
    if (await session.scalar(that_day) or 0) >= DAILY_LIMIT:
        raise Unprocessable(
            f"Validation failed: You have exceeded the limit of {DAILY_LIMIT} "
            "scheduled posts for that day"
        )


async def list_scheduled(
    *, session: AsyncSession, owner_id: int, window: Window
) -> Page[ScheduledStatus]:
    """The owner's scheduled posts, newest first (by id, as Mastodon pages them)."""
    query = select(ScheduledStatus).where(ScheduledStatus.account_id == owner_id)
    return await paginate(session, query, key=ScheduledStatus.id, page=window)


async def get_scheduled(
    *, session: AsyncSession, owner_id: int, scheduled_status_id: int
) -> ScheduledStatus:
    """One of the owner's scheduled posts; anyone else's is not found."""
    row = await session.get(ScheduledStatus, scheduled_status_id)
    if row is None or row.account_id != owner_id:
        raise NotFound()
    return row


async def reschedule(
    *,
    session: AsyncSession,
    runtime: Runtime,
    owner_id: int,
    scheduled_status_id: int,
    scheduled_at: str,
) -> ScheduledStatus:
    """Move a scheduled post to another time (at least five minutes ahead)."""
    when = _in_the_future(scheduled_at)
    row = await get_scheduled(
        session=session, owner_id=owner_id, scheduled_status_id=scheduled_status_id
    )
    if as_utc(row.scheduled_at).date() != when.date():
        await _check_limits(session, owner_id, when, adding=False)
    row.scheduled_at = when
    schedule_job(session, runtime, PUBLISH_JOB, run_at=when, scheduled_status_id=row.id)
    await commit(session)
    return row


async def cancel_scheduled(
    *, session: AsyncSession, owner_id: int, scheduled_status_id: int
) -> None:
    """Drop a scheduled post; its job then finds nothing to publish."""
    row = await get_scheduled(
        session=session, owner_id=owner_id, scheduled_status_id=scheduled_status_id
    )
    await session.delete(row)
    await commit(session)


@job(PUBLISH_JOB)
async def publish_scheduled(runtime: Runtime, *, scheduled_status_id: int) -> None:
    """Publish a scheduled post that is due, once. A post that can no longer be
    published (its reply target is gone, its text no longer passes) is dropped, as
    Mastodon does; a rate limit leaves it for the job's retry. Deleting the row lets
    its media go (SET NULL) in the same transaction, so the post can take them."""
    async with runtime.db.write() as session:
        row = await session.get(ScheduledStatus, scheduled_status_id)
        if row is None or as_utc(row.scheduled_at) > utcnow():
            return  # published, cancelled, or moved later (that time's job publishes it)
        taken = await session.execute(
            delete(ScheduledStatus).where(
                ScheduledStatus.id == row.id, ScheduledStatus.scheduled_at == row.scheduled_at
            )
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return  # another run took it first
        author = await session.get(Account, row.account_id)
        if author is None:
            return
        try:
            await post_status(session=session, runtime=runtime, author=author, **_post(row))
        except RateLimited:
            raise  # the row comes back with the rollback; the job retries later
        except RoostError as exc:
            log.warning("scheduled status %s dropped: %s", scheduled_status_id, exc.message)
            await session.rollback()  # (expires ``row``: use the id we were given)
            await session.execute(
                delete(ScheduledStatus).where(ScheduledStatus.id == scheduled_status_id)
            )
            await commit(session)


def _post(row: ScheduledStatus) -> dict[str, Any]:
    """``post_status``'s arguments for a scheduled post."""
    params = row.params
    reply_to = params.get("in_reply_to_id")
    poll = params.get("poll")
    media_ids = params.get("media_ids") or []
    return {
        "app_id": row.application_id,
        "text": params.get("text"),
        "visibility": params.get("visibility"),
        "spoiler_text": params.get("spoiler_text"),
        "sensitive": params.get("sensitive"),
        "language": params.get("language"),
        "in_reply_to_id": int(reply_to) if reply_to is not None else None,
        "media_ids": [int(media_id) for media_id in media_ids],
        "poll": PollIn.model_validate(poll) if poll is not None else None,
    }
