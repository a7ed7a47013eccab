"""Editing a status (Mastodon's UpdateStatusService), its history and its source.

An edit changes what the post says (text, content warning, sensitivity, language,
media and their descriptions and focal points), never who it is addressed to: its
visibility stays. As in Mastodon, the media are those the edit names in
``media_ids`` (none named: none left); one it drops stays with the post for its
history (media/attach.py). Mentions and tags are read from
the new text again, so the visibility rule (statuses/visibility.py) follows at once:
someone newly mentioned in a followers-only or direct post may now open it, someone
no longer mentioned may not. Like Mastodon, an edit does not deliver the post again:
timelines keep the entries they had, and show the new version.

The first edit keeps the original as the first history row (at the post's
``created_at``); each edit then adds the version it made. After commit: the status
cache and kept pages forget the post, streams that may show it get ``status.update``,
and everyone who boosted it gets an ``update`` notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.cards.service import schedule_card
from roost.core.db import commit, utcnow
from roost.core.errors import Forbidden, NotFound, Unprocessable
from roost.core.ids import new_id
from roost.media.attach import (
    MediaChange,
    MediaState,
    check_media,
    history_entry,
    media_state,
    post_media,
    replace_media,
)
from roost.notifications.service import notify, withdraw
from roost.polls.models import Poll
from roost.statuses.formatting import extract, to_html
from roost.statuses.lookup import get_visible
from roost.statuses.models import Mention, Status, StatusEdit, StatusTag
from roost.statuses.render import Version
from roost.statuses.sensitive import is_sensitive
from roost.statuses.service import check_post, mentionable, tag_ids
from roost.timelines.fanout import schedule_update

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def edit_status(
    *,
    session: AsyncSession,
    runtime: Runtime,
    author: Account,
    status_id: int,
    text: str | None,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    media_ids: Sequence[int] = (),
    media_changes: Sequence[MediaChange] = (),
    has_poll: bool = False,
) -> Status:
    """Edit one's own post; as in Mastodon, what is left out is cleared (no content
    warning, not sensitive, no media) and the language is kept unless given.
    ``media_changes`` (``media_attributes``) set descriptions and focal points of the
    media it keeps or adds. Someone else's post is NotFound, as if it did not exist."""
    # Locked (PostgreSQL): two edits at once cannot both store the original.
    status = await session.scalar(select(Status).where(Status.id == status_id).with_for_update())
    if status is None or status.account_id != author.id:
        raise NotFound()
    if status.reblog_of_id is not None:
        raise Unprocessable("Validation failed: A boost cannot be edited")
    if has_poll:
        raise Unprocessable("Validation failed: polls cannot be edited")
    text = (text or "").strip()
    spoiler_text = (spoiler_text or "").strip()
    check_post(text, spoiler_text, language, bool(media_ids))
    media = await check_media(
        session=session,
        owner_id=author.id,
        media_ids=media_ids,
        has_poll=bool(media_ids) and await _has_poll(session, status.id),
        status_id=status.id,
    )
    current = await post_media(session, status.id)
    media_before, media_after = media_state(current), media_state(media, media_changes)
    language = language or status.language
    sensitive = is_sensitive(author=author, asked=bool(sensitive), spoiler_text=spoiler_text)
    if (status.text, status.spoiler_text, status.sensitive, status.language, media_before) == (
        text,
        spoiler_text,
        sensitive,
        language,
        media_after,
    ):
        await commit(session)
        return status  # nothing changed: no new version

    await runtime.limiter.hit("post", str(author.id))  # an edit writes as much as a post
    settings = runtime.settings
    found = extract(text, domain=settings.domain)
    mentioned = await mentionable(session, author.id, found.mentions)
    now = utcnow()
    if status.edited_at is None:  # the first edit keeps the original
        session.add(_snapshot(status, media_before, at=status.created_at))
    status.text = text
    status.content = to_html(
        text,
        {a.username_lower: a for a in mentioned},
        base_url=settings.base_url,
        domain=settings.domain,
    )
    status.spoiler_text = spoiler_text
    status.sensitive = sensitive
    status.language = language
    status.edited_at = now
    replace_media(status_id=status.id, current=current, media=media, changes=media_changes)
    session.add(_snapshot(status, media_after, at=now))

    newly = await _remention(session, status.id, [a.id for a in mentioned])
    await session.execute(delete(StatusTag).where(StatusTag.status_id == status.id))
    for tag_id in await tag_ids(session, found.tags):
        session.add(StatusTag(status_id=status.id, tag_id=tag_id))
    await session.flush()
    for account_id in newly:
        await notify(
            session=session,
            runtime=runtime,
            recipient_id=account_id,
            actor_id=author.id,
            type="mention",
            status_id=status.id,
        )
    await _notify_boosters(session, runtime, status)

    runtime.statuses.forget(session, [status.id])
    runtime.versions.forget(session, "status", [status.id])
    schedule_update(session, runtime, status_id=status.id)
    schedule_card(session, runtime, status, edited=True)
    await commit(session)
    return status


def _snapshot(status: Status, media: MediaState, *, at: datetime) -> StatusEdit:
    return StatusEdit(
        id=new_id(),
        status_id=status.id,
        content=status.content,
        spoiler_text=status.spoiler_text,
        sensitive=status.sensitive,
        media=history_entry(media),
        created_at=at,
    )


async def _has_poll(session: AsyncSession, status_id: int) -> bool:
    return await session.scalar(select(Poll.id).where(Poll.status_id == status_id)) is not None


async def _remention(session: AsyncSession, status_id: int, account_ids: list[int]) -> list[int]:
    """Make the post's mentions ``account_ids``; returns those newly mentioned."""
    before = set(
        await session.scalars(select(Mention.account_id).where(Mention.status_id == status_id))
    )
    wanted = set(account_ids)
    if before - wanted:
        await session.execute(
            delete(Mention).where(
                Mention.status_id == status_id, Mention.account_id.in_(before - wanted)
            )
        )
    newly = [i for i in dict.fromkeys(account_ids) if i not in before]
    for account_id in newly:
        session.add(Mention(id=new_id(), status_id=status_id, account_id=account_id))
    return newly


async def _notify_boosters(session: AsyncSession, runtime: Runtime, status: Status) -> None:
    """An ``update`` notification for everyone who boosted the post; an earlier one for
    the same post gives way to it, so each booster sees the latest edit once."""
    boosters = list(
        await session.scalars(select(Status.account_id).where(Status.reblog_of_id == status.id))
    )
    for booster in boosters:
        await withdraw(
            session=session,
            recipient_id=booster,
            actor_id=status.account_id,
            type="update",
            status_id=status.id,
        )
        await notify(
            session=session,
            runtime=runtime,
            recipient_id=booster,
            actor_id=status.account_id,
            type="update",
            status_id=status.id,
        )


async def status_history(
    *, session: AsyncSession, viewer_id: int | None, status_id: int
) -> list[Version]:
    """Every version of a post the viewer may see, oldest first; a post never edited
    has one, itself (as Mastodon answers)."""
    status = await get_visible(session, viewer_id, status_id)
    edits = list(
        await session.scalars(
            select(StatusEdit).where(StatusEdit.status_id == status.id).order_by(StatusEdit.id)
        )
    )
    if not edits:
        media = history_entry(media_state(await post_media(session, status.id)))
        return [
            Version(
                status.account_id,
                status.content,
                status.spoiler_text,
                status.sensitive,
                status.edited_at or status.created_at,
                media,
            )
        ]
    return [
        Version(
            status.account_id, e.content, e.spoiler_text, e.sensitive, e.created_at, e.media or []
        )
        for e in edits
    ]


async def status_source(*, session: AsyncSession, viewer_id: int | None, status_id: int) -> Status:
    """The post as its author typed it (to prefill an edit), if the viewer may see it."""
    return await get_visible(session, viewer_id, status_id)


async def translate_status(
    *, session: AsyncSession, viewer_id: int | None, status_id: int
) -> NoReturn:
    """Roost has no translation backend: Mastodon without one answers a post the viewer
    may not see, and any other, with 404 (its NotConfiguredError), after refusing posts
    that are not public or unlisted (403)."""
    status = await get_visible(session, viewer_id, status_id)
    if status.visibility not in ("public", "unlisted"):
        raise Forbidden("This action is not allowed")
    raise NotFound()
