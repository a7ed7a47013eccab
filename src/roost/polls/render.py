"""The Mastodon Poll entity, for a page of statuses in one query.

What a poll asks (``poll_core``) never changes and is kept in the status cache with
its status; the counts, the end and the viewer's own votes are read fresh for every
page (``live_polls``), so a vote shows at once wherever the poll is shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import utcnow
from roost.core.http import iso
from roost.polls.models import Poll, PollTally, PollVote


@dataclass(slots=True)
class LivePoll:
    """What is read fresh about one poll: its end, its counts, and what the viewer
    chose (None: not voted)."""

    expires_at: str  # as ``iso`` writes it
    voters_count: int
    tallies: dict[int, int] = field(default_factory=dict)
    own_votes: list[int] | None = None


def poll_core(poll: Poll) -> dict[str, Any]:
    """The fixed part of a poll, as the status cache keeps it."""
    return {
        "id": str(poll.id),
        "multiple": poll.multiple,
        "hide_totals": poll.hide_totals,
        "options": list(poll.options),
    }


_OWN_VOTES = (
    select(PollVote.choices)
    .where(PollVote.poll_id == Poll.id, PollVote.account_id == bindparam("viewer"))
    .scalar_subquery()
)
# Built once: every page with a poll runs it.
LIVE = (
    select(
        Poll.id,
        Poll.expires_at,
        Poll.voters_count,
        PollTally.choice,
        PollTally.votes_count,
        _OWN_VOTES,
    )
    .join(PollTally, PollTally.poll_id == Poll.id)
    .where(Poll.id.in_(bindparam("ids", expanding=True)))
)


async def live_polls(
    session: AsyncSession, poll_ids: Collection[int], viewer_id: int | None
) -> dict[int, LivePoll]:
    """The counts of these polls and the viewer's votes in them, in one query."""
    if not poll_ids:
        return {}
    found: dict[int, LivePoll] = {}
    rows = await session.execute(LIVE, {"ids": list(poll_ids), "viewer": viewer_id})
    for poll_id, expires_at, voters_count, choice, votes_count, own_votes in rows:
        live = found.get(poll_id)
        if live is None:
            live = found[poll_id] = LivePoll(iso(expires_at), voters_count, own_votes=own_votes)
        live.tallies[choice] = votes_count
    return found


def render_poll(
    core: dict[str, Any],
    live: LivePoll,
    *,
    viewer_id: int | None,
    author_id: int,
    now: str,
) -> dict[str, Any]:
    """The Poll entity for ``viewer_id`` at ``now`` (an ``iso`` time: those strings sort
    as the times they name). With hidden totals the options' counts are null until
    the poll ends; the author counts as having voted (Mastodon's ``voted?``)."""
    expired = live.expires_at <= now
    shown = expired or not core["hide_totals"]
    tallies = live.tallies
    rendered: dict[str, Any] = {
        "id": core["id"],
        "expires_at": live.expires_at,
        "expired": expired,
        "multiple": core["multiple"],
        "votes_count": sum(tallies.values()),
        "voters_count": live.voters_count,
        "options": [
            {"title": title, "votes_count": tallies.get(choice, 0) if shown else None}
            for choice, title in enumerate(core["options"])
        ],
        "emojis": [],
    }
    if viewer_id is not None:
        rendered["voted"] = live.own_votes is not None or viewer_id == author_id
        rendered["own_votes"] = list(live.own_votes or [])
    return rendered


async def render_one(
    session: AsyncSession, poll: Poll, viewer_id: int | None
) -> dict[str, Any] | None:
    """One poll for ``viewer_id`` with its counts as ``session`` reads them; None when
    it is gone."""
    live = (await live_polls(session, [poll.id], viewer_id)).get(poll.id)
    if live is None:
        return None
    return render_poll(
        poll_core(poll), live, viewer_id=viewer_id, author_id=poll.account_id, now=iso(utcnow())
    )
