"""The mail job: thin, it calls the service. A failed send raises, and the job runner
retries it with growing waits (jobs/runner.py: 2 s, 4 s, ... up to 10 minutes, 12 tries)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roost.jobs.runner import job
from roost.mail.service import SEND_JOB, send_mail

if TYPE_CHECKING:
    from roost.runtime import Runtime


@job(SEND_JOB)
async def send_mail_job(runtime: Runtime, *, purpose: str, account_id: int) -> None:
    await send_mail(runtime=runtime, purpose=purpose, account_id=account_id)
