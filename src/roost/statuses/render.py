"""The Mastodon Status entity, rendered for a whole page in a fixed number of queries.

What a post says comes from the status cache (cache.py); what changes is read
fresh here for every page, in one query: the counts (which also tell which posts
still exist), when each was last edited and whether it has a link card (a kept copy
from before either is rebuilt),
and the viewer's own flags: favourited, boosted, bookmarked, pinned, and whether the
viewer muted its conversation. The authors' accounts come from the account cache, and
the polls' votes from one more query, only for a page that shows a poll.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement, Select, bindparam, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from roost.accounts.models import Account
from roost.cards.models import StatusCard
from roost.core.db import utcnow
from roost.core.http import iso
from roost.filters.applied import apply_filters
from roost.media.attach import media_by_id
from roost.media.render import render_media
from roost.polls.render import live_polls, render_poll
from roost.statuses.cache import Core
from roost.statuses.models import Bookmark, ConversationMute, Favourite, Status, StatusPin
from roost.statuses.visibility import LISTED_VISIBILITIES, author_withholds

if TYPE_CHECKING:
    from roost.core.versions import Watch
    from roost.runtime import Runtime


@dataclass(frozen=True)
class Version:
    """One version of a post, as its history lists it (statuses/edits.py)."""

    account_id: int
    content: str
    spoiler_text: str
    sensitive: bool
    created_at: datetime
    media: list[dict[str, str | None]]  # ids and the descriptions they had then


class HasId(Protocol):
    @property
    def id(self) -> int: ...


async def load_statuses(session: AsyncSession, ids: Iterable[int]) -> dict[int, Status]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Status).where(Status.id.in_(wanted)))
    return {status.id: status for status in rows.all()}


async def load_originals(session: AsyncSession, statuses: Iterable[Status]) -> dict[int, Status]:
    """The posts that boosts among ``statuses`` point at, by id."""
    return await load_statuses(
        session, (s.reblog_of_id for s in statuses if s.reblog_of_id is not None)
    )


async def render_statuses(
    session: AsyncSession,
    statuses: Sequence[HasId],
    viewer_id: int | None,
    *,
    runtime: Runtime,
    context: str | None = None,
    moderating: bool = False,
) -> list[dict[str, Any]]:
    """Render statuses the viewer may see (filter with ``visibility`` first), in order;
    one deleted meanwhile, or whose author moderation withholds, is left out.
    ``runtime`` holds the status and account caches; ``context`` is where they are
    shown, for the viewer's filters; ``moderating``: see ``render_cores``."""
    if not statuses:
        return []
    cores = await runtime.statuses.load(session, (s.id for s in statuses))
    return await render_cores(
        session,
        [cores[s.id] for s in statuses if s.id in cores],
        viewer_id,
        cores,
        runtime=runtime,
        context=context,
        moderating=moderating,
    )


async def render_cores(
    session: AsyncSession,
    statuses: Sequence[Core],
    viewer_id: int | None,
    cores: dict[int, Core],
    *,
    runtime: Runtime,
    watch: Watch | None = None,
    context: str | None = None,
    moderating: bool = False,
) -> list[dict[str, Any]]:
    """Render ``statuses``; ``cores`` must hold the originals of the boosts among them.
    ``watch`` collects the versions of the authors' accounts (timelines/page_cache.py).
    Given the ``context`` they are shown in (a Mastodon filter context: home, public,
    thread, account, notifications), the viewer's filters apply (filters/applied.py).

    A post whose author moderation withholds from the viewer (visibility.withheld,
    asked in the same statement as the counts) is left out, whichever path listed it:
    a timeline entry delivered before or after a suspension, a stream event, a kept
    page being rendered. ``moderating`` (a moderator reviewing an account or a report)
    shows such posts too. A sensitized author's posts render ``sensitive: true`` for
    everyone but the author, as Mastodon's serializer does."""
    if not statuses:
        return []
    every = {c.id: c for c in statuses}
    every |= {c.reblog_of_id: cores[c.reblog_of_id] for c in statuses if c.reblog_of_id in cores}
    query = LIVE_FIELDS[viewer_id is not None]
    rows = await session.execute(query, {"viewer": viewer_id, "ids": list(every)})
    live = {row[0]: row[1:] for row in rows}
    stale = [c for c in every.values() if c.id in live and _stale(c, live[c.id])]
    hidden: set[int] = set()
    if stale:
        fresh, hidden = await _rebuilt(session, stale, viewer_id, runtime=runtime)
        every |= fresh
    accounts = await runtime.accounts.rendered(
        session, (c.account_id for c in every.values()), watch=watch
    )
    asked = [int(c.body["poll"]["id"]) for c in every.values() if c.body["poll"] is not None]
    polls = await live_polls(session, asked, viewer_id)  # no query for a page without
    now = iso(utcnow())

    def poll_of(core: Core) -> dict[str, Any] | None:
        asks = core.body["poll"]
        live = polls.get(int(asks["id"])) if asks is not None else None
        if asks is None or live is None:
            return None
        return render_poll(asks, live, viewer_id=viewer_id, author_id=core.account_id, now=now)

    def one(core: Core) -> dict[str, Any] | None:
        fields = live.get(core.id)
        author = accounts.get(core.account_id)
        if fields is None or author is None or core.id in hidden:
            return None  # deleted since it was listed, or no longer the viewer's to see
        if fields[10] and not moderating:
            return None  # its author is suspended, or silenced and not followed
        core = every.get(core.id, core)  # rebuilt if it was stale
        reblog = None
        if core.reblog_of_id is not None:
            original = every.get(core.reblog_of_id)
            reblog = one(original) if original is not None else None
            if reblog is None:
                return None
        sensitized = fields[11] and core.account_id != viewer_id
        return {
            **core.body,
            "sensitive": core.body["sensitive"] or bool(sensitized),
            "account": author,
            "reblog": reblog,
            "replies_count": fields[0],
            "reblogs_count": fields[1],
            "favourites_count": fields[2],
            "favourited": bool(fields[3]),
            "reblogged": bool(fields[4]),
            "poll": poll_of(core),
            "bookmarked": bool(fields[5]),
            "pinned": bool(fields[6]),
            "muted": bool(fields[7]),
        }

    items = [item for item in map(one, statuses) if item is not None]
    if context is None or viewer_id is None:
        return items
    return await apply_filters(
        session, items, runtime=runtime, viewer_id=viewer_id, context=context, watch=watch
    )


def _stale(core: Core, fields: Sequence[Any]) -> bool:
    """A kept copy from before an edit, or from before its card came (or changed link)."""
    return _edited(fields[8]) != _edited_of(core) or bool(fields[9]) != (
        core.body.get("card") is not None
    )


def _edited(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def _edited_of(core: Core) -> str | None:
    edited: str | None = core.body.get("edited_at")
    return edited


async def _rebuilt(
    session: AsyncSession, stale: list[Core], viewer_id: int | None, *, runtime: Runtime
) -> tuple[dict[int, Core], set[int]]:
    """Cores kept from before an edit (another process's copy, or one stored by a
    reader that raced the edit), read again, and the ids to leave out of this render:
    a followers-only or direct post that no longer mentions the viewer is not shown on
    the strength of the old mentions the page's filter used (at worst a post the viewer
    may still read through a follow is missing from one page)."""
    fresh = await runtime.statuses.rebuild(session, (c.id for c in stale))
    hidden = {
        c.id
        for c in stale
        if c.id in fresh
        and c.visibility not in LISTED_VISIBILITIES
        and c.account_id != viewer_id
        and viewer_id in c.mention_ids
        and viewer_id not in fresh[c.id].mention_ids
    }
    return fresh, hidden


_author = aliased(Account)


def _live_fields(
    viewer: bool,
) -> Select[int, int, int, int, bool, bool, bool, bool, bool, datetime | None, bool, bool, bool]:
    """What changes about statuses ``ids``, in one query: the counts (a missing row is a
    deleted status), whether ``viewer`` favourited, boosted, bookmarked, pinned each and
    muted its conversation, when it was last edited, whether it has a card, and its
    author's standing: whether moderation withholds the author's posts from ``viewer``,
    and whether a moderator marked the author's media sensitive."""
    favourited: ColumnElement[bool] = literal(False)
    reblogged: ColumnElement[bool] = literal(False)
    bookmarked: ColumnElement[bool] = literal(False)
    pinned: ColumnElement[bool] = literal(False)
    muted: ColumnElement[bool] = literal(False)
    if viewer:
        boost = aliased(Status)
        favourited = exists().where(
            Favourite.account_id == bindparam("viewer"), Favourite.status_id == Status.id
        )
        reblogged = exists().where(
            boost.account_id == bindparam("viewer"), boost.reblog_of_id == Status.id
        )
        bookmarked = exists().where(
            Bookmark.account_id == bindparam("viewer"), Bookmark.status_id == Status.id
        )
        pinned = exists().where(
            StatusPin.account_id == bindparam("viewer"), StatusPin.status_id == Status.id
        )
        muted = exists().where(
            ConversationMute.account_id == bindparam("viewer"),
            ConversationMute.thread_id == Status.thread_id,
        )
    return (
        select(
            Status.id,
            Status.replies_count,
            Status.reblogs_count,
            Status.favourites_count,
            favourited,
            reblogged,
            bookmarked,
            pinned,
            muted,
            Status.edited_at,
            exists().where(StatusCard.status_id == Status.id),
            author_withholds(bindparam("viewer") if viewer else None, _author),
            _author.sensitized_at.is_not(None),
        )
        .join(_author, _author.id == Status.account_id)
        .where(Status.id.in_(bindparam("ids", expanding=True)))
    )


# Built once (every page runs one): building costs more than running.
LIVE_FIELDS = {viewer: _live_fields(viewer) for viewer in (True, False)}


async def render_history(
    session: AsyncSession, versions: Sequence[Version], *, runtime: Runtime
) -> list[dict[str, Any]]:
    """Mastodon's StatusEdit entities for one post's versions, oldest first; each
    version's media with the descriptions they had in it."""
    accounts = await runtime.accounts.rendered(session, {v.account_id for v in versions})
    rows = await media_by_id(session, (int(m["id"] or 0) for v in versions for m in v.media))

    def media_of(version: Version) -> list[dict[str, Any]]:
        shown = []
        for entry in version.media:
            row = rows.get(int(entry["id"] or 0))
            if row is not None:
                rendered = render_media(row, storage=runtime.media)
                shown.append({**rendered, "description": entry["description"]})
        return shown

    return [
        {
            "content": v.content,
            "spoiler_text": v.spoiler_text,
            "sensitive": v.sensitive,
            "created_at": iso(v.created_at),
            "account": accounts.get(v.account_id),
            "poll": None,
            "media_attachments": media_of(v),
            "emojis": [],
        }
        for v in versions
    ]
