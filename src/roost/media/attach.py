"""Media on posts: which uploads a post may take, taking them, and letting them go.

One rule for posting, scheduling and editing (``check_media``): a post takes at most
``MAX_ATTACHMENTS`` of its author's own uploads, each processed and attached to
nothing else (a post being edited may keep its own), and never with a poll. Anything
else refuses the whole post with a 422 before anything is written.

A post's media are the rows naming it (``status_id``) in ``position`` order. An edit
that drops one keeps the row on the post with ``removed_at`` set, so the post's
history still shows it and deleting the post deletes it. A scheduled post holds its
media (``scheduled_status_id``) until it is published; cancelling it lets them go
(the foreign key's SET NULL), and they expire like any unattached upload.

Deleting a post (``release_media``) deletes the files of media an edit dropped, and
either deletes the post's current media too (``delete_media``) or hands them back
unattached so a delete-and-redraft can post them again (Mastodon's default: they then
expire with the other unattached uploads). Files are removed after commit by a job,
which leaves alone any file another row still names (keys are content hashes: the
same picture uploaded twice is one file).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from roost.core.db import utcnow
from roost.core.errors import Unprocessable
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.media.models import MediaAttachment
from roost.media.service import delete_media_files

if TYPE_CHECKING:
    from roost.runtime import Runtime

MAX_ATTACHMENTS = 4
MAX_DESCRIPTION = 1500  # characters of alt text, as Mastodon allows
DELETE_FILES_JOB = "delete_media_files"


@dataclass(frozen=True)
class MediaChange:
    """One entry of an edit's ``media_attributes``: None leaves a field as it is, a
    blank description clears it."""

    id: int
    description: str | None = None
    focus: tuple[float, float] | None = None


def parse_focus(value: str) -> tuple[float, float]:
    """Mastodon's focal point ``"x,y"``, each from -1.0 to 1.0."""
    x, comma, y = value.partition(",")
    try:
        point = (float(x), float(y)) if comma else None
    except ValueError:
        point = None
    if point is None or not all(-1.0 <= v <= 1.0 for v in point):
        raise Unprocessable("Validation failed: focus must be two numbers from -1.0 to 1.0: x,y")
    return point


def check_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise Unprocessable(
            f"Validation failed: a description is at most {MAX_DESCRIPTION} characters"
        )
    return description


async def check_media(
    *,
    session: AsyncSession,
    owner_id: int,
    media_ids: Sequence[int],
    has_poll: bool = False,
    status_id: int | None = None,
) -> list[MediaAttachment]:
    """The uploads a post may take, in the order asked (a repeated id counts once):
    ``owner_id``'s own, processed, and attached to no other post and no scheduled post
    (``status_id``: the post being edited, whose own media it may keep). Refuses the
    whole post otherwise. The rows are locked until the transaction ends (PostgreSQL),
    so two posts cannot take the same upload."""
    ids = list(dict.fromkeys(media_ids))
    if not ids:
        return []
    if len(ids) > MAX_ATTACHMENTS:
        raise Unprocessable(
            f"Validation failed: a post takes at most {MAX_ATTACHMENTS} media attachments"
        )
    if has_poll:
        raise Unprocessable("Validation failed: a post cannot have both media and a poll")
    rows = await session.scalars(
        select(MediaAttachment)
        .where(MediaAttachment.id.in_(ids), MediaAttachment.account_id == owner_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    found = {media.id: media for media in rows}
    for media_id in ids:
        media = found.get(media_id)
        if media is None:  # unknown and someone else's look the same
            raise Unprocessable(f"Validation failed: media attachment {media_id} was not found")
        taken = media.status_id is not None and media.status_id != status_id
        if taken or media.scheduled_status_id is not None:
            raise Unprocessable(
                f"Validation failed: media attachment {media_id} is already attached to a post"
            )
        if media.state == "processing":
            raise Unprocessable(
                f"Validation failed: media attachment {media_id} is still being processed;"
                " try again in a moment"
            )
        if media.state != "ready" or media.file_key is None:
            raise Unprocessable(
                f"Validation failed: media attachment {media_id} could not be processed"
            )
    return [found[media_id] for media_id in ids]


def attach_media(
    media: Sequence[MediaAttachment],
    *,
    status_id: int | None = None,
    scheduled_status_id: int | None = None,
) -> None:
    """Give checked ``media`` (``check_media``) to a post or a scheduled post, in order."""
    for position, attachment in enumerate(media):
        attachment.status_id = status_id
        attachment.scheduled_status_id = scheduled_status_id
        attachment.position = position
        attachment.removed_at = None


MediaState = list[dict[str, Any]]


def media_state(
    media: Sequence[MediaAttachment], changes: Iterable[MediaChange] = ()
) -> MediaState:
    """What a reader sees of ``media`` once ``changes`` apply: an edit that changes it
    is a new version, and its history keeps ids and descriptions."""
    by_id = {change.id: change for change in changes}
    state = []
    for attachment in media:
        change = by_id.get(attachment.id)
        description = attachment.description
        focus = (attachment.focus_x, attachment.focus_y)
        if change is not None:
            if change.description is not None:  # blank clears it
                description = change.description or None
            focus = change.focus or focus
        state.append({"id": str(attachment.id), "description": description, "focus": focus})
    return state


def history_entry(state: MediaState) -> list[dict[str, str | None]]:
    """A version's media as its StatusEdit row keeps them (``statuses/edits.py``)."""
    return [{"id": entry["id"], "description": entry["description"]} for entry in state]


async def post_media(session: AsyncSession, status_id: int) -> list[MediaAttachment]:
    """A post's current media, in order."""
    rows = await session.scalars(
        select(MediaAttachment)
        .where(MediaAttachment.status_id == status_id, MediaAttachment.removed_at.is_(None))
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )
    return list(rows)


def replace_media(
    *,
    status_id: int,
    current: Sequence[MediaAttachment],
    media: Sequence[MediaAttachment],
    changes: Iterable[MediaChange] = (),
) -> None:
    """An edit's media: ``media`` (checked with the post's ``status_id``) become the
    post's, in order, with ``changes`` applied to them; those of ``current`` left out
    stay with the post, marked removed."""
    kept = {attachment.id for attachment in media}
    now = utcnow()
    for attachment in current:
        if attachment.id not in kept:
            attachment.removed_at = now
    by_id = {change.id: change for change in changes}
    for attachment in media:
        change = by_id.get(attachment.id)
        if change is None:
            continue
        if change.description is not None:
            attachment.description = change.description or None
        if change.focus is not None:
            attachment.focus_x, attachment.focus_y = change.focus
    attach_media(media, status_id=status_id)


def shows_media(
    status_id: InstrumentedAttribute[int] | ColumnElement[int] | int,
) -> ColumnElement[bool]:
    """Whether the post ``status_id`` (a column, or one post's id) has media now: for
    ``only_media`` listings and the media streams."""
    return exists().where(
        MediaAttachment.status_id == status_id, MediaAttachment.removed_at.is_(None)
    )


async def has_media(session: AsyncSession, status_id: int) -> bool:
    return bool(await session.scalar(select(shows_media(status_id))))


async def media_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, MediaAttachment]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(MediaAttachment).where(MediaAttachment.id.in_(wanted)))
    return {attachment.id: attachment for attachment in rows}


async def scheduled_media(
    session: AsyncSession, scheduled_ids: Iterable[int]
) -> dict[int, list[MediaAttachment]]:
    """The media each scheduled post holds, in order, in one query."""
    wanted = list(set(scheduled_ids))
    found: dict[int, list[MediaAttachment]] = defaultdict(list)
    if not wanted:
        return found
    rows = await session.scalars(
        select(MediaAttachment)
        .where(MediaAttachment.scheduled_status_id.in_(wanted))
        .order_by(MediaAttachment.position, MediaAttachment.id)
    )
    for attachment in rows:
        assert attachment.scheduled_status_id is not None
        found[attachment.scheduled_status_id].append(attachment)
    return found


async def release_media(
    *, session: AsyncSession, runtime: Runtime, status_id: int, delete_media: bool
) -> None:
    """Before a post is deleted: delete its media's rows and, after commit, their files;
    with ``delete_media`` false, its current media are handed back unattached instead
    (delete and redraft). Media an edit dropped are deleted either way."""
    rows = list(
        await session.scalars(select(MediaAttachment).where(MediaAttachment.status_id == status_id))
    )
    doomed = [m for m in rows if delete_media or m.removed_at is not None]
    for attachment in rows:
        if attachment not in doomed:
            attachment.status_id = None
            attachment.position = 0
    if not doomed:
        return
    keys = sorted({key for m in doomed for key in (m.file_key, m.thumbnail_key) if key})
    await session.execute(
        delete(MediaAttachment).where(MediaAttachment.id.in_([m.id for m in doomed]))
    )
    if keys:
        schedule_job(session, runtime, DELETE_FILES_JOB, keys=keys)


@job(DELETE_FILES_JOB)
async def delete_files(runtime: Runtime, *, keys: list[str]) -> None:
    """Remove the files no media row names any more (another upload of the same
    picture shares its content-hashed keys)."""
    async with runtime.db.read() as session:
        named = await session.execute(
            select(MediaAttachment.file_key, MediaAttachment.thumbnail_key).where(
                or_(MediaAttachment.file_key.in_(keys), MediaAttachment.thumbnail_key.in_(keys))
            )
        )
        still = {key for row in named for key in row if key}
    unused = [key for key in keys if key not in still]
    if unused:
        await delete_media_files(runtime=runtime, keys=unused)
