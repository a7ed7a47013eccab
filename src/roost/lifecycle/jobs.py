"""The life cycle's jobs: purging a deleted account, and applying an uploaded import.
Thin: each calls its service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roost.jobs.runner import job
from roost.lifecycle.deletion import PURGE_JOB, purge_account
from roost.lifecycle.imports import IMPORT_JOB, run_import

if TYPE_CHECKING:
    from roost.runtime import Runtime


@job(PURGE_JOB)
async def purge_account_job(runtime: Runtime, *, account_id: int) -> None:
    await purge_account(runtime=runtime, account_id=account_id)


@job(IMPORT_JOB)
async def run_import_job(runtime: Runtime, *, import_id: int) -> None:
    await run_import(runtime=runtime, import_id=import_id)
