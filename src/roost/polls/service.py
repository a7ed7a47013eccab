"""Polls: attached to a new status, voted on, closed by a job when they expire.

A poll is checked with the post before anything is written (``check_poll``) and
written in the post's transaction (``attach_poll``), with its expiry job, which
waits in the outbox until ``expires_at``: a restart loses nothing. A vote adds to
the counts in SQL; a second vote by the same account fails on the primary key of
``poll_votes``, however close together the two arrive.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import as_utc, commit, utcnow
from roost.core.errors import NotFound, Unprocessable
from roost.core.ids import new_id
from roost.core.settings import Settings
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.notifications.service import notify
from roost.polls.models import Poll, PollTally, PollVote
from roost.polls.schemas import PollIn
from roost.statuses.lookup import get_visible
from roost.statuses.models import Status

if TYPE_CHECKING:
    from roost.runtime import Runtime

CLOSE_JOB = "close_poll"


def check_poll(poll: PollIn, *, settings: Settings) -> None:
    """Refuse a poll the instance does not take, with Mastodon's messages."""
    options = [option.strip() for option in poll.options]
    if len(options) < 2:
        raise Unprocessable("Validation failed: Poll options must have more than one item")
    if len(options) > settings.poll_max_options:
        raise Unprocessable(
            "Validation failed: Poll options can't contain more than "
            f"{settings.poll_max_options} items"
        )
    if any(not option for option in options):
        raise Unprocessable("Validation failed: Poll options can't be blank")
    longest = settings.poll_max_characters_per_option
    if any(len(option) > longest for option in options):
        raise Unprocessable(
            f"Validation failed: Poll options cannot be longer than {longest} characters each"
        )
    if len(set(options)) < len(options):
        raise Unprocessable("Validation failed: Poll options contain duplicate items")
    if poll.expires_in < settings.poll_min_expiration:
        raise Unprocessable("Validation failed: Poll expires at is too soon")
    if poll.expires_in > settings.poll_max_expiration:
        raise Unprocessable("Validation failed: Poll expires at is too far into the future")


def attach_poll(session: AsyncSession, runtime: Runtime, *, status: Status, poll: PollIn) -> Poll:
    """Add ``poll`` (checked) to ``status`` in its transaction, and its expiry job."""
    expires_at = status.created_at + timedelta(seconds=poll.expires_in)
    row = Poll(
        id=new_id(),
        status_id=status.id,
        account_id=status.account_id,
        options=[option.strip() for option in poll.options],
        multiple=poll.multiple,
        hide_totals=poll.hide_totals,
        expires_at=expires_at,
        voters_count=0,
        closed=False,
        created_at=status.created_at,
    )
    session.add(row)
    session.add_all(
        PollTally(poll_id=row.id, choice=choice, votes_count=0)
        for choice in range(len(row.options))
    )
    schedule_job(session, runtime, CLOSE_JOB, run_at=expires_at, poll_id=row.id)
    return row


async def get_visible_poll(session: AsyncSession, viewer_id: int | None, poll_id: int) -> Poll:
    """The poll, if the viewer may read its status; otherwise NotFound."""
    poll = await session.get(Poll, poll_id)
    if poll is None:
        raise NotFound()
    await get_visible(session, viewer_id, poll.status_id)
    return poll


async def vote(
    *,
    session: AsyncSession,
    runtime: Runtime,
    voter: Account,
    poll_id: int,
    choices: list[int],
) -> Poll:
    """Cast ``voter``'s one vote; refused with Mastodon's messages when it cannot count."""
    poll = await get_visible_poll(session, voter.id, poll_id)
    if as_utc(poll.expires_at) <= utcnow():
        raise Unprocessable("Validation failed: The poll has already ended")
    if poll.account_id == voter.id:
        raise Unprocessable("Validation failed: You cannot vote in your own polls")
    picked = sorted(set(choices))
    if not picked or any(not 0 <= choice < len(poll.options) for choice in picked):
        raise Unprocessable("Validation failed: The chosen vote option does not exist")
    if len(choices) > 1 and not poll.multiple:
        raise Unprocessable("Validation failed: This poll allows a single choice only")
    session.add(PollVote(poll_id=poll.id, account_id=voter.id, choices=picked, created_at=utcnow()))
    try:
        await session.flush()
    except IntegrityError as exc:  # voted before, or a moment ago in another request
        await session.rollback()
        raise Unprocessable("Validation failed: You have already voted on this poll") from exc
    await session.execute(
        update(PollTally)
        .where(PollTally.poll_id == poll.id, PollTally.choice.in_(picked))
        .values(votes_count=PollTally.votes_count + 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Poll)
        .where(Poll.id == poll.id)
        .values(voters_count=Poll.voters_count + 1)
        .execution_options(synchronize_session=False)
    )
    runtime.versions.forget(session, "status", [poll.status_id])
    await commit(session)
    return poll


@job(CLOSE_JOB)
async def close_poll(runtime: Runtime, *, poll_id: int) -> None:
    """The expiry job: tell every voter and the author that the poll has ended, once."""
    async with runtime.db.write() as session:
        poll = await session.get(Poll, poll_id)
        if poll is None or poll.closed:
            return  # its status was deleted, or another run told them already
        if as_utc(poll.expires_at) > utcnow():  # moved or early: wait for its time
            schedule_job(session, runtime, CLOSE_JOB, run_at=poll.expires_at, poll_id=poll.id)
            await commit(session)
            return
        closed = await session.execute(
            update(Poll)
            .where(Poll.id == poll.id, Poll.closed.is_(False))
            .values(closed=True)
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            return
        voters = await session.scalars(
            select(PollVote.account_id).where(PollVote.poll_id == poll.id)
        )
        for recipient in [poll.account_id, *voters.all()]:
            await notify(
                session=session,
                runtime=runtime,
                recipient_id=recipient,
                actor_id=poll.account_id,
                type="poll",
                status_id=poll.status_id,
            )
        runtime.versions.forget(session, "status", [poll.status_id])
        await commit(session)
