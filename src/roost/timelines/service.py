"""Reading timelines: home and lists (by timeline cursor), public, hashtag, account,
favourites, bookmarks."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter
from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from roost.accounts.models import Account
from roost.core.breaker import REDIS_DOWN
from roost.core.db import fresh
from roost.core.errors import NotFound
from roost.core.http import JSON, PageParams
from roost.core.paging import Page, Window, paginate
from roost.follows.relations import followed_among, load_home_relations
from roost.lists.lookup import member_ids, owned_list
from roost.media.attach import shows_media
from roost.statuses.cache import Core
from roost.statuses.models import Bookmark, Favourite, Status, StatusPin, StatusTag, Tag
from roost.statuses.render import load_originals, load_statuses, render_cores, render_statuses
from roost.statuses.visibility import (
    Audience,
    filter_visible,
    load_audience,
    not_hidden_by,
    publicly_shown,
    visible_to,
)
from roost.timelines.by_rule import RuleTimeline
from roost.timelines.cursors import cursor_for
from roost.timelines.merge import merge_big_accounts
from roost.timelines.rebuild import ensure_home, ensure_list
from roost.timelines.recipients import home_statuses, list_statuses
from roost.timelines.store import Entry, Pages

if TYPE_CHECKING:
    from roost.runtime import Runtime
    from roost.timelines.page_cache import HomeWatch

# A page whose entries are all hidden (muted, blocked) is refilled this many times.
REFILL_ROUNDS = 5

SQL_READS = Counter(
    "roost_timeline_sql_reads_total",
    "Home and list pages read from SQL by the rule because Redis was unreachable",
    ["timeline"],
)


async def render_home(
    runtime: Runtime,
    request: Request,
    viewer: Account,
    page: PageParams,
    watch: HomeWatch | None = None,
) -> JSON:
    """The viewer's home page as answered (body and ``Link``): for the route, and for
    the worker that renders a kept page again before its reader asks (page_refresh.py)."""
    async with runtime.db.read() as session:
        found = await read_home(
            session=session, runtime=runtime, viewer=viewer, page=page, watch=watch
        )
    return found.response(request, base_url=runtime.settings.base_url)


async def read_home(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer: Account,
    page: PageParams,
    watch: HomeWatch | None = None,
) -> Page:
    """The viewer's home timeline, newest delivery first, paged by timeline cursor.

    Ids the client sends may be cursors from our Link header or status ids from the
    posts it saw; ``cursor_for`` turns either into a cursor of this timeline.
    ``watch`` collects the versions of what the page shows, for the page cache.

    Read on the primary (``fresh``), as every timeline fed through Redis: an entry is
    delivered once its post has committed, and a replica that has not replayed the
    post yet would leave it out of the page, moving the reader's cursor past it.
    """
    owner = viewer.id
    try:
        await ensure_home(runtime, owner)  # before this session holds a connection
        if watch:
            await watch.start("home", [owner])
        async with fresh(session) as primary:
            audience, big = await _home_audience(primary, owner, runtime.settings.fanout_limit)
            merged = await merge_big_accounts(runtime, primary, owner, big)
            if watch:
                watch.hold_posted(merged)
                await watch.hold_head(owner)
            return await _page_of_timeline(
                primary,
                runtime,
                runtime.timelines,
                owner,
                audience=audience,
                page=page,
                watch=watch,
            )
    except REDIS_DOWN:
        # The store cannot answer: the same timeline, by the rule, from SQL (by_rule.py).
        if watch:
            watch.spoiled = True
        SQL_READS.labels("home").inc()
        async with fresh(session) as primary:
            audience, _ = await _home_audience(primary, owner, runtime.settings.fanout_limit)
            timeline = RuleTimeline(primary, home_statuses(owner))
            return await _page_of_timeline(
                primary, runtime, timeline, owner, audience=audience, page=page
            )


async def read_list_timeline(
    *, session: AsyncSession, runtime: Runtime, viewer: Account, list_id: int, page: PageParams
) -> Page:
    """One of the viewer's lists as a timeline: the same cursors, rebuild, read-time
    merge of big accounts and privacy checks as home, over the list's own timeline, on
    the primary as home is."""
    async with fresh(session) as primary:
        found = await owned_list(primary, owner_id=viewer.id, list_id=list_id)
        if found is None:
            raise NotFound()
        try:
            await ensure_list(runtime, list_id, viewer.id)
            audience, big = await _home_audience(primary, viewer.id, runtime.settings.fanout_limit)
            members = await member_ids(primary, list_id)
            big_members = [a for a in big if a in members]
            await merge_big_accounts(runtime, primary, viewer.id, big_members, list_id=list_id)
            return await _page_of_timeline(
                primary, runtime, runtime.list_timelines, list_id, audience=audience, page=page
            )
        except REDIS_DOWN:  # as for home
            SQL_READS.labels("list").inc()
            audience, _ = await _home_audience(primary, viewer.id, runtime.settings.fanout_limit)
            timeline = RuleTimeline(primary, list_statuses(list_id, viewer.id))
            return await _page_of_timeline(
                primary, runtime, timeline, list_id, audience=audience, page=page
            )


async def _page_of_timeline(
    session: AsyncSession,
    runtime: Runtime,
    store: Pages,
    timeline: int,
    *,
    audience: Audience,
    page: PageParams,
    watch: HomeWatch | None = None,
) -> Page:
    """One page of a home or list timeline, newest delivery first, only what the
    owner (``audience.viewer_id``) may see; a page all hidden is refilled."""
    owner = audience.viewer_id
    assert owner is not None
    # The client's cursors as this timeline's, paged by the one paginator's rules.
    window = Window(
        max_id=await cursor_for(store, timeline, page.max_id),
        since_id=await cursor_for(store, timeline, page.since_id),
        min_id=await cursor_for(store, timeline, page.min_id),
        limit=page.clamped_limit(),
    )
    limit = window.limit

    kept: list[tuple[Entry, Core]] = []
    cores: dict[int, Core] = {}
    scanned: list[int] = []
    for _ in range(REFILL_ROUNDS):
        entries = await store.page(
            timeline,
            max_seq=window.max_id,
            since_seq=window.since_id,
            min_seq=window.min_id,
            limit=limit,
        )
        if not entries:
            break
        scanned += [e.seq for e in entries]
        cores |= await runtime.statuses.load(session, (e.status_id for e in entries))
        listed = [cores[e.status_id] for e in entries if e.status_id in cores]
        audience = await _with_private_authors(session, audience, listed, cores)
        mentioned = {c.id for c in cores.values() if owner in c.mention_ids}
        visible = {
            c.id
            for c in await filter_visible(session, audience, listed, cores, mentioned=mentioned)
        }
        kept += [(e, cores[e.status_id]) for e in entries if e.status_id in visible]
        if len(kept) >= limit or len(entries) < limit:
            break
        window = window.past(newest=entries[0].seq, oldest=entries[-1].seq)
    kept.sort(key=lambda pair: pair[0].seq, reverse=True)
    kept = window.trim(kept)

    shown = [core for _, core in kept]
    if watch:
        every = {c.id for c in shown} | {c.reblog_of_id for c in shown if c.reblog_of_id}
        await watch.start("status", sorted(every))
    items = await render_cores(
        session, shown, owner, cores, runtime=runtime, watch=watch, context="home"
    )
    # All hidden: the cursors of what was read, so the client pages on past it.
    return Page.of(items, [entry.seq for entry, _ in kept] or scanned)


async def _home_audience(
    session: AsyncSession, owner: int, fanout_limit: int
) -> tuple[Audience, list[int]]:
    """In one query: whom the owner blocks or is blocked by, mutes, and the followed
    accounts too big to fan out."""
    relations = await load_home_relations(session, owner, fanout_limit)
    return Audience.of(owner, relations), sorted(relations.following)


async def followed_big_accounts(session: AsyncSession, owner: int, fanout_limit: int) -> list[int]:
    """The accounts the owner follows whose posts are merged at read time, not delivered."""
    _, big = await _home_audience(session, owner, fanout_limit)
    return big


async def _with_private_authors(
    session: AsyncSession, audience: Audience, listed: list[Core], cores: dict[int, Core]
) -> Audience:
    """Add whether the viewer follows the authors of the followers-only posts listed,
    the one relation the policy needs that the home audience does not load."""
    originals = [cores[c.reblog_of_id] for c in listed if c.reblog_of_id in cores]
    authors = (
        {c.account_id for c in [*listed, *originals] if c.visibility == "private"}
        - audience.following
        - {audience.viewer_id}
    )
    if not authors or audience.viewer_id is None:
        return audience
    following = await followed_among(session, viewer_id=audience.viewer_id, among=authors)
    return replace(audience, following=audience.following | frozenset(following))


async def read_public(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    page: PageParams,
    remote: bool = False,
    only_media: bool = False,
) -> Page:
    """Public posts of this server, newest first; no boosts, no replies to others;
    with ``only_media``, those with media."""
    if remote:  # Roost does not federate (yet): there are no remote posts
        return Page(items=[])
    query = select(Status).where(
        Status.visibility == "public",
        Status.reblog_of_id.is_(None),
        or_(
            Status.in_reply_to_account_id.is_(None),
            Status.in_reply_to_account_id == Status.account_id,
        ),
        publicly_shown(),  # no suspended or silenced author, whoever reads
    )
    if only_media:
        query = query.where(shows_media(Status.id))
    return await _page_of_statuses(session, runtime, viewer_id, query, page, context="public")


async def read_tag(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int | None, tag: str, page: PageParams
) -> Page:
    query = (
        select(Status)
        .join(StatusTag, StatusTag.status_id == Status.id)
        .join(Tag, Tag.id == StatusTag.tag_id)
        .where(Tag.name == tag.lstrip("#").lower(), Status.visibility == "public", publicly_shown())
    )
    return await _page_of_statuses(session, runtime, viewer_id, query, page, context="public")


async def read_account_statuses(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    account_id: int,
    page: PageParams,
    exclude_replies: bool = False,
    exclude_reblogs: bool = False,
    only_media: bool = False,
    pinned: bool = False,
    tagged: str | None = None,
) -> Page:
    if await session.get(Account, account_id) is None:
        raise NotFound()
    if pinned:
        return await _pinned(session, runtime, viewer_id, account_id, page)
    query = select(Status).where(Status.account_id == account_id, visible_to(viewer_id))
    if exclude_replies:
        query = query.where(
            or_(Status.in_reply_to_id.is_(None), Status.in_reply_to_account_id == account_id)
        )
    if exclude_reblogs:
        query = query.where(Status.reblog_of_id.is_(None))
    if only_media:  # the account's own posts with media (a boost has none of its own)
        query = query.where(shows_media(Status.id))
    if tagged:
        query = (
            query.join(StatusTag, StatusTag.status_id == Status.id)
            .join(Tag, Tag.id == StatusTag.tag_id)
            .where(Tag.name == tagged.lstrip("#").lower())
        )
    # A profile opened on purpose shows a muted person's posts, but never a blocked one's.
    return await _page_of_statuses(
        session, runtime, viewer_id, query, page, hide_muted=False, context="account"
    )


async def _pinned(
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    account_id: int,
    page: PageParams,
) -> Page:
    """An account's pinned posts the viewer may see, most recently pinned first, paged
    by the pin's id."""
    query = (
        select(StatusPin.status_id)
        .join(Status, Status.id == StatusPin.status_id)
        .where(StatusPin.account_id == account_id, visible_to(viewer_id))
    )
    pins = await paginate(session, query, key=StatusPin.id, page=page)
    return pins.with_items(await _visible_rendered(session, runtime, viewer_id, pins.items))


async def read_favourites(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, page: PageParams
) -> Page:
    """What the viewer favourited, most recent favourite first, paged by favourite id."""
    query = select(Favourite.status_id).where(Favourite.account_id == viewer_id)
    favourited = await paginate(session, query, key=Favourite.id, page=page)
    return favourited.with_items(
        await _visible_rendered(session, runtime, viewer_id, favourited.items)
    )


async def read_bookmarks(
    *, session: AsyncSession, runtime: Runtime, viewer_id: int, page: PageParams
) -> Page:
    """What the viewer bookmarked and may still see, most recent bookmark first, paged
    by bookmark id."""
    query = select(Bookmark.status_id).where(Bookmark.account_id == viewer_id)
    bookmarked = await paginate(session, query, key=Bookmark.id, page=page)
    return bookmarked.with_items(
        await _visible_rendered(session, runtime, viewer_id, bookmarked.items)
    )


async def _visible_rendered(
    session: AsyncSession, runtime: Runtime, viewer_id: int | None, status_ids: list[int]
) -> list[dict[str, Any]]:
    """These statuses, in order, rendered for the viewer, leaving out what is gone or
    hidden (a muted author's post stays: the viewer chose it)."""
    statuses = await load_statuses(session, status_ids)
    ordered = [statuses[sid] for sid in status_ids if sid in statuses]
    audience = await load_audience(session, viewer_id)
    originals = await load_originals(session, ordered)
    visible = await filter_visible(session, audience, ordered, originals, hide_muted=False)
    return await render_statuses(session, visible, viewer_id, runtime=runtime)


async def _page_of_statuses(
    session: AsyncSession,
    runtime: Runtime,
    viewer_id: int | None,
    query: Select[Status],
    page: PageParams,
    *,
    hide_muted: bool = True,
    context: str,
) -> Page:
    """A page of ``query``'s statuses the viewer may see, shown in filter ``context``."""
    audience: Audience = await load_audience(session, viewer_id)
    query = query.where(not_hidden_by(audience, hide_muted=hide_muted))
    read = await paginate(session, query, key=Status.id, page=page)
    if not read.items:
        return read
    originals = await load_originals(session, read.items)
    visible = await filter_visible(session, audience, read.items, originals, hide_muted=hide_muted)
    return read.with_items(
        await render_statuses(session, visible, viewer_id, runtime=runtime, context=context)
    )
