"""The media jobs: processing a large upload, removing files, and the periodic cleanup.

- ``process_media`` (queued with a v2 upload larger than ``ROOST_MEDIA_ASYNC_ABOVE_BYTES``):
  reads the upload from ``incoming/``, processes it in the pool, stores the files and
  marks the row ``ready``, or ``failed`` with the reason (not retried: the same file
  fails the same way), then removes the upload. Idempotent: a row that is no longer
  ``processing`` is left alone, and files made for a row deleted meanwhile are removed.
  A storage outage raises, and the outbox retries later.
- ``remove_media_files``: ``service.delete_media_files`` after a commit, durably.
- ``clean_up_media``: hourly while there are unattached uploads (``cleanup.py``),
  removes uploads that no post took within ``ROOST_MEDIA_UNATTACHED_SECONDS`` (and those
  whose post was deleted: the row outlives it unattached), rows then files. An upload
  schedules it if none waits; each run schedules the next while unattached uploads
  remain.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, exists, select, update

from roost.core.db import commit, utcnow
from roost.core.errors import Unprocessable
from roost.jobs.runner import job
from roost.media.cleanup import CLEANUP_JOB, ensure_cleanup
from roost.media.models import MediaAttachment
from roost.media.service import (
    PROCESS_JOB,
    REMOVE_FILES_JOB,
    delete_media_files,
    process,
    store_processed,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

CLEANUP_BATCH = 200


@job(PROCESS_JOB)
async def process_media(runtime: Runtime, *, media_id: int) -> None:
    async with runtime.db.read() as session:
        row = await session.get(MediaAttachment, media_id)
    if row is None or row.state != "processing" or row.incoming_key is None:
        return  # deleted, or processed by an earlier run
    incoming = row.incoming_key
    try:
        data = await runtime.media.get(incoming)
    except FileNotFoundError:
        await _fail(runtime, media_id, incoming, "The upload was lost before it was processed")
        return
    try:
        processed = await process(runtime, data)
    except Unprocessable as error:  # refused: the reason is the person's to read
        await _fail(runtime, media_id, incoming, error.message)
        return
    keys = await store_processed(runtime.media, row, processed)
    async with runtime.db.write() as session:
        done = await session.execute(
            update(MediaAttachment)
            .where(MediaAttachment.id == media_id, MediaAttachment.state == "processing")
            .values(
                type=row.type,
                state="ready",
                file_key=row.file_key,
                thumbnail_key=row.thumbnail_key,
                content_type=row.content_type,
                file_size=row.file_size,
                meta=row.meta,
                blurhash=row.blurhash,
                incoming_key=None,
            )
        )
        await commit(session)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        log.info("media %s went away while it was processed; removing its files", media_id)
    # Whatever no row names now: the upload, and the new files if the row went away.
    await delete_media_files(runtime=runtime, keys=[incoming, *keys])


async def _fail(runtime: Runtime, media_id: int, incoming: str, reason: str) -> None:
    async with runtime.db.write() as session:
        await session.execute(
            update(MediaAttachment)
            .where(MediaAttachment.id == media_id, MediaAttachment.state == "processing")
            .values(state="failed", error=reason[:1000], incoming_key=None)
        )
        await commit(session)
    await delete_media_files(runtime=runtime, keys=[incoming])


@job(REMOVE_FILES_JOB)
async def remove_media_files(runtime: Runtime, *, keys: list[str]) -> None:
    await delete_media_files(runtime=runtime, keys=keys)


@job(CLEANUP_JOB)
async def clean_up_media(runtime: Runtime) -> None:
    removed = await remove_unattached(runtime)
    if removed:
        log.info("media cleanup: removed %d unattached uploads", removed)
    await _schedule_next(runtime)


async def remove_unattached(runtime: Runtime) -> int:
    """Remove every upload unattached for longer than the lifetime: rows, then files."""
    cutoff = utcnow() - timedelta(seconds=runtime.settings.media_unattached_seconds)
    removed = 0
    while True:
        expired = (
            select(MediaAttachment.id)
            .where(MediaAttachment.status_id.is_(None), MediaAttachment.created_at < cutoff)
            .limit(CLEANUP_BATCH)
        )
        async with runtime.db.write() as session:
            # Only rows still unattached as they are deleted: a post may take one now.
            gone = (
                await session.execute(
                    delete(MediaAttachment)
                    .where(
                        MediaAttachment.id.in_(expired.scalar_subquery()),
                        MediaAttachment.status_id.is_(None),
                    )
                    .returning(
                        MediaAttachment.file_key,
                        MediaAttachment.thumbnail_key,
                        MediaAttachment.incoming_key,
                    )
                )
            ).all()
            await commit(session)
        await delete_media_files(runtime=runtime, keys=[key for row in gone for key in row if key])
        removed += len(gone)
        if len(gone) < CLEANUP_BATCH:
            return removed


async def _schedule_next(runtime: Runtime) -> None:
    """Again in an hour, while uploads no post has taken remain (a later upload starts
    it again). The run being made holds its own row until it returns, due now or
    (queued) a sweep's delay from now: a row due later than that is a next run."""
    async with runtime.db.write() as session:
        waiting = await session.scalar(select(exists().where(MediaAttachment.status_id.is_(None))))
        if waiting:
            soon = timedelta(seconds=runtime.settings.sweep_after_seconds)
            await ensure_cleanup(session, runtime, unless_after=soon)
            await commit(session)
