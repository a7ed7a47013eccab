"""Helpers for poll tests: post one, vote, and let time pass (by moving the poll's
end and its job's time into the past, as the clock would)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from roost.core.db import utcnow
from roost.jobs.models import OutboxJob
from roost.polls.models import Poll
from roost.runtime import Runtime
from tests.factories import User
from tests.statuses.helpers import post


async def post_poll(
    client: httpx.AsyncClient,
    user: User,
    options: list[str] | None = None,
    *,
    expires_in: int = 3600,
    visibility: str = "public",
    **poll: Any,
) -> dict[str, Any]:
    status = await post(
        client,
        user,
        "Which one?",
        visibility=visibility,
        poll={"options": options or ["tea", "coffee"], "expires_in": expires_in, **poll},
    )
    assert status["poll"] is not None
    return status


async def vote(
    client: httpx.AsyncClient, user: User, poll_id: str, choices: list[int]
) -> httpx.Response:
    return await client.post(
        f"/api/v1/polls/{poll_id}/votes", json={"choices": choices}, headers=user.headers
    )


async def end_poll(runtime: Runtime, poll_id: str) -> None:
    """Make the poll's end and its expiry job's time a moment ago."""
    past = utcnow() - timedelta(seconds=1)
    async with runtime.db.write() as session:
        await session.execute(update(Poll).where(Poll.id == int(poll_id)).values(expires_at=past))
        await session.execute(
            update(OutboxJob).where(OutboxJob.kind == "close_poll").values(next_attempt_at=past)
        )
        await session.commit()


async def expiry_jobs(runtime: Runtime) -> list[OutboxJob]:
    async with runtime.db.read() as session:
        rows = await session.scalars(select(OutboxJob).where(OutboxJob.kind == "close_poll"))
        return list(rows.all())
