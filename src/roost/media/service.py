"""Uploads: taken, processed, described, removed; and the files they leave.

An upload is checked before anything is kept: its size (``ROOST_MEDIA_MAX_BYTES``, also
counted while the body is read, ``core/limits.py``), its alt text and focal point, and
the uploader's quota (``ROOST_MEDIA_UPLOADS_PER_HOUR``, the rate limiter). Then either

- it is processed while the request waits (``POST /api/v1/media``, and v2 uploads up to
  ``ROOST_MEDIA_ASYNC_ABOVE_BYTES``): the processing pool (``runner.py``) makes the files,
  they are stored, and the row is written ``ready``; or
- it is stored as received under ``incoming/`` and the row written ``processing`` with a
  ``process_media`` job (``jobs.py``) in the same transaction; the job makes the files.

Failures leave nothing: a refused file is never stored, files stored before a failed
commit are removed, and a row is only written complete (``ready``), or ``processing``
with its upload beside it, or ``failed`` with its reason and no file. Every file an
attachment has is under its own id (``storage.attachment_key``), so removing one never
touches another's.

Nothing here opens the write transaction before the processing is done: on SQLite that
transaction holds the one write lock.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, PayloadTooLarge, ServiceUnavailable, Unprocessable
from roost.core.ids import new_id
from roost.jobs.outbox import schedule_job
from roost.media.cleanup import ensure_cleanup
from roost.media.limits import UPLOAD_RULE, megabytes
from roost.media.models import MediaAttachment
from roost.media.pipeline import ProcessedMedia, process_attachment
from roost.media.processing import RejectedMedia
from roost.media.schemas import description_of, focus_of
from roost.media.storage import (
    LocalStorage,
    MediaStorage,
    attachment_key,
    incoming_key,
    public_content_type,
)

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)

PROCESS_JOB = "process_media"
REMOVE_FILES_JOB = "remove_media_files"


async def upload_media(
    *,
    runtime: Runtime,
    session: AsyncSession,
    account: Account,
    data: bytes,
    description: str | None = None,
    focus: str | None = None,
    wait: bool = True,
) -> MediaAttachment:
    """Take an upload; ``wait=False`` lets a large one be processed by a job (the row
    stays ``processing`` and its ``url`` null until then)."""
    settings = runtime.settings
    if len(data) > settings.media_max_bytes:
        raise PayloadTooLarge(f"File is larger than {megabytes(settings.media_max_bytes)}")
    if not data:
        raise Unprocessable("Validation failed: File can't be blank")
    alt = description_of(description)
    x, y = focus_of(focus) or (0.0, 0.0)
    per_hour = settings.media_uploads_per_hour
    await runtime.limiter.hit(
        UPLOAD_RULE,
        str(account.id),
        message=f"Too many uploads: at most {per_hour} files an hour per account",
    )
    row = MediaAttachment(
        id=new_id(),
        account_id=account.id,
        status_id=None,
        position=0,
        type="image",
        content_type="",
        file_size=0,
        meta={},
        description=alt,
        focus_x=x,
        focus_y=y,
        created_at=utcnow(),
    )
    if wait or len(data) <= settings.media_async_above_bytes:
        processed = await process(runtime, data)
        stored = await store_processed(runtime.media, row, processed)
    else:
        row.state, row.incoming_key = "processing", incoming_key(row.id)
        stored = [row.incoming_key]
        await _put(runtime.media, row.incoming_key, data, "application/octet-stream")
        schedule_job(session, runtime, PROCESS_JOB, media_id=row.id)
    session.add(row)
    try:
        await ensure_cleanup(session, runtime)  # should no post take it
        await commit(session)
    except BaseException:
        await _discard(runtime.media, stored)
        raise
    return row


async def process(runtime: Runtime, data: bytes) -> ProcessedMedia:
    """The files of an upload, made in the processing pool; 422 with the reason if
    the file is refused (not a picture, damaged, too large, too slow)."""
    try:
        return await runtime.processing.run(process_attachment, data)
    except RejectedMedia as error:
        raise Unprocessable(str(error)) from error


async def store_processed(
    storage: MediaStorage, row: MediaAttachment, processed: ProcessedMedia
) -> list[str]:
    """Store the files and fill ``row`` in (``ready``); returns the keys written. If a
    write fails, the ones already made are removed."""
    original, small = processed.original, processed.small
    keys = [
        attachment_key(row.id, "original", original.data, extension=original.extension),
        attachment_key(row.id, "small", small.data, extension=small.extension),
    ]
    try:
        for key, variant in zip(keys, (original, small), strict=True):
            await _put(storage, key, variant.data, variant.content_type)
    except BaseException:
        await _discard(storage, keys)
        raise
    row.type, row.state = processed.type, "ready"
    row.file_key, row.thumbnail_key = keys
    row.content_type, row.file_size = original.content_type, len(original.data)
    row.meta, row.blurhash = processed.meta, processed.blurhash
    return keys


async def _put(storage: MediaStorage, key: str, data: bytes, content_type: str) -> None:
    try:
        await storage.put(key, data, content_type=content_type)
    except OSError as error:
        log.error("media storage refused %s: %s", key, error)
        raise ServiceUnavailable("The media storage is unavailable; try again later") from error


async def _discard(storage: MediaStorage, keys: list[str]) -> None:
    """Best effort, on a failure path: the error being raised matters more."""
    try:
        await storage.delete(keys)
    except OSError:
        log.exception("could not remove the files of a failed upload: %s", keys)


async def own_media(session: AsyncSession, account: Account, media_id: int) -> MediaAttachment:
    """The account's own upload not yet attached to a post (Mastodon's scope for these
    routes); 404 for anyone else's, an attached one, or none."""
    row = await session.get(MediaAttachment, media_id)
    if row is None or row.account_id != account.id or row.status_id is not None:
        raise NotFound()
    return row


def check_processed(row: MediaAttachment) -> MediaAttachment:
    if row.state == "failed":
        raise Unprocessable(row.error or "Error processing thumbnail for uploaded media")
    return row


async def read_media(*, session: AsyncSession, account: Account, media_id: int) -> MediaAttachment:
    return check_processed(await own_media(session, account, media_id))


async def update_media(
    *,
    session: AsyncSession,
    account: Account,
    media_id: int,
    description: str | None,
    focus: str | None,
    fields: Iterable[str],
) -> MediaAttachment:
    """Set the alt text and focal point of an unattached upload (only the ``fields``
    sent: a blank description clears it)."""
    sent = set(fields)
    alt = description_of(description)
    point = focus_of(focus)
    row = check_processed(await own_media(session, account, media_id))
    if "description" in sent:
        row.description = alt
    if point is not None:
        row.focus_x, row.focus_y = point
    await commit(session)
    return row


async def delete_media(
    *, runtime: Runtime, session: AsyncSession, account: Account, media_id: int
) -> None:
    """Remove an unattached upload; its files go by a job once the row is gone."""
    row = await session.get(MediaAttachment, media_id)
    if row is None or row.account_id != account.id:
        raise NotFound()
    if row.status_id is not None:
        raise Unprocessable("Media attachment is currently used by a status")
    keys = files_of(row)
    await session.delete(row)
    if keys:
        schedule_job(session, runtime, REMOVE_FILES_JOB, keys=keys)
    await commit(session)


def files_of(row: MediaAttachment) -> list[str]:
    return [key for key in (row.file_key, row.thumbnail_key, row.incoming_key) if key]


async def delete_media_files(*, runtime: Runtime, keys: list[str]) -> None:
    """Remove files from the media storage, except any a row still names (an
    attachment, an avatar or a header): call it once the rows that named them are gone.
    A key already removed is not an error."""
    wanted = list(dict.fromkeys(key for key in keys if key))
    if not wanted:
        return
    columns = (
        MediaAttachment.file_key,
        MediaAttachment.thumbnail_key,
        MediaAttachment.incoming_key,
        Account.avatar_file,
        Account.header_file,
    )
    async with runtime.db.read() as session:
        named = set(
            await session.scalars(union_all(*(select(c).where(c.in_(wanted)) for c in columns)))
        )
    await runtime.media.delete([key for key in wanted if key not in named])


async def remove_account_media(*, runtime: Runtime, account_id: int) -> None:
    """Every upload of an account, and its avatar and header, rows and files: for an
    account being deleted. Safe to run again (what is gone stays gone)."""
    async with runtime.db.write() as session:
        media = (
            await session.execute(
                select(
                    MediaAttachment.file_key,
                    MediaAttachment.thumbnail_key,
                    MediaAttachment.incoming_key,
                ).where(MediaAttachment.account_id == account_id)
            )
        ).all()
        account = await session.get(Account, account_id)
        keys = [key for row in media for key in row if key]
        if account is not None:
            keys += [key for key in (account.avatar_file, account.header_file) if key]
            account.avatar_file = account.header_file = None
        await session.execute(
            delete(MediaAttachment).where(MediaAttachment.account_id == account_id)
        )
        await commit(session)
    await delete_media_files(runtime=runtime, keys=keys)


def remote_address(*, storage: MediaStorage, key: str) -> str | None:
    """Under S3, where a ``/system/`` file really is: avatars, headers and card images
    are named by ``/system/`` (their renderings know only the server's address)."""
    if isinstance(storage, LocalStorage) or public_content_type(key) is None:
        return None
    return storage.url(key)


def local_file(*, storage: MediaStorage, key: str) -> tuple[Path, str]:
    """A processed file on the local disk and its ``Content-Type``, for ``/system/``;
    404 for anything else (a raw upload, a name outside the storage, an S3 setup)."""
    content_type = public_content_type(key)
    if content_type is None or not isinstance(storage, LocalStorage):
        raise NotFound()
    with contextlib.suppress(ValueError):
        path = storage.path(key)
        if path.is_file():
            return path, content_type
    raise NotFound()
