"""The follow graph's jobs: accepting the requests of an account just unlocked, and
tidying away a timed mute that has ended. Thin: each opens a session and calls a verb."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roost.core.errors import NotFound
from roost.follows import requests, service
from roost.jobs.runner import job

if TYPE_CHECKING:
    from roost.runtime import Runtime


@job("accept_follow_requests")
async def accept_follow_requests(runtime: Runtime, *, account_id: int) -> None:
    while True:
        async with runtime.db.write() as session:
            looked_at = await requests.accept_follow_requests(
                session=session, runtime=runtime, account_id=account_id
            )
        if looked_at < requests.ACCEPT_BATCH:
            return


@job("end_mute")
async def end_mute(runtime: Runtime, *, muter_id: int, muted_id: int) -> None:
    async with runtime.db.write() as session:
        try:
            await service.end_mute(
                session=session, runtime=runtime, muter_id=muter_id, muted_id=muted_id
            )
        except NotFound:  # the muted account is gone, and the mute with it
            return
