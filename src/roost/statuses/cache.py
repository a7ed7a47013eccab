"""The status cache: what a post says, rendered once and kept.

What the author wrote (text, HTML, mentions, tags, application, reply target, poll
question and options, media attachments) is cached as a ``Core``, already rendered
for the Mastodon Status entity, so reading a page renders each post once, not once
per reader. What changes often (the counts, whether the post still exists, the
author's profile, the viewer's own flags, a poll's votes) is never cached here:
``render.py`` reads it fresh on every request.

A post changes what it says only when its author edits it (statuses/edits.py; its
media too: once attached, an upload changes only through an edit). The edit forgets
its core after commit (``forget``: this process's copy and Redis's), and
every render reads each post's ``edited_at`` with the live fields (render.py), so a
copy another process still holds, or one a reader that raced the edit stored, is
rebuilt the first time it is shown after the edit; a followers-only or direct post
that no longer mentions the viewer is left out of that render (its mentions say who
may read it, and the old ones admitted the viewer).

Two levels: a small in-process LRU in front of Redis (shared by every process;
ROOST_REDIS_URL). Lost, flushed or evicted entries are rebuilt from SQL on the next
read. With Redis unreachable (core/breaker.py) reads build from SQL and keep copies in
this process only; a ``forget`` that cannot reach Redis leaves Redis's copy, which the
render's ``edited_at`` and card checks rebuild the first time it is shown. A page's cores are
read with one MGET (one per slot on a Redis Cluster).
"""

from __future__ import annotations

import logging
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.cards.models import PreviewCard, StatusCard
from roost.cards.render import render_card
from roost.core.breaker import REDIS_DOWN
from roost.core.db import after_commit, fresh
from roost.core.http import iso
from roost.core.redis import Client, mget
from roost.media.models import MediaAttachment
from roost.media.render import render_media
from roost.media.storage import MediaStorage
from roost.oauth.models import OAuthApp
from roost.polls.models import Poll
from roost.polls.render import poll_core
from roost.statuses.models import Mention, Status, StatusTag, Tag

log = logging.getLogger(__name__)

LOCAL_ENTRIES = 20_000
TTL_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Core:
    """The fixed part of one status; ``body`` holds its rendered, viewer-independent
    fields (no account, counts, reblog or viewer flags)."""

    id: int
    account_id: int
    visibility: str
    reblog_of_id: int | None
    in_reply_to_account_id: int | None
    mention_ids: frozenset[int]
    body: dict[str, Any]

    def dump(self) -> bytes:
        return orjson.dumps(
            [
                self.account_id,
                self.visibility,
                self.reblog_of_id,
                self.in_reply_to_account_id,
                sorted(self.mention_ids),
                self.body,
            ]
        )

    @classmethod
    def load(cls, status_id: int, raw: bytes) -> Core:
        account_id, visibility, reblog_of_id, reply_to, mentions, body = orjson.loads(raw)
        return cls(
            status_id, account_id, visibility, reblog_of_id, reply_to, frozenset(mentions), body
        )


class StatusCache:
    def __init__(
        self,
        redis: Client | None = None,
        *,
        prefix: str = "roost:",
        base_url: str,
        storage: MediaStorage,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.base_url = base_url  # of the links in the rendered HTML
        self.storage = storage  # of the media's URLs
        # Kept as bytes: a copy's objects are made for the read that uses it and die
        # young, instead of lying in the collector's oldest generation (core/heap.py).
        self._local: OrderedDict[int, bytes] = OrderedDict()

    def _key(self, status_id: int) -> str:
        return f"{self.prefix}st:{status_id}"

    async def get_many(self, ids: Iterable[int]) -> dict[int, Core]:
        found: dict[int, Core] = {}
        remote: list[int] = []
        for status_id in ids:
            raw = self._local.get(status_id)
            if raw is None:
                remote.append(status_id)
            else:
                self._local.move_to_end(status_id)
                found[status_id] = Core.load(status_id, raw)
        if remote and self.redis is not None:
            try:
                values = await mget(self.redis, [self._key(i) for i in remote])
            except REDIS_DOWN:
                return found  # the rest is built from SQL
            for status_id, raw in zip(remote, values, strict=True):
                if isinstance(raw, bytes):
                    self._remember(status_id, raw)
                    found[status_id] = Core.load(status_id, raw)
        return found

    async def put_many(self, cores: Iterable[Core]) -> None:
        dumped = {core.id: core.dump() for core in cores}
        for status_id, raw in dumped.items():
            self._remember(status_id, raw)
        if dumped and self.redis is not None:
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for status_id, raw in dumped.items():
                        pipe.set(self._key(status_id), raw, ex=TTL_SECONDS)
                    await pipe.execute()
            except REDIS_DOWN:
                pass  # kept in this process only

    async def load(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, Core]:
        """Cores of these statuses and of the posts the boosts among them boost; a
        status that was never posted (or whose rows are gone) is simply absent."""
        wanted = set(ids)
        cores = await self.get_many(wanted)
        missing = wanted - cores.keys()
        if missing:
            async with fresh(session) as primary:  # what a cache keeps is read on the primary
                built = await _build(primary, missing, self.base_url, self.storage)
            await self.put_many(built.values())
            cores |= built
        originals = {c.reblog_of_id for c in cores.values() if c.reblog_of_id} - cores.keys()
        if originals:
            cores |= await self.load(session, originals)
        return cores

    async def rebuild(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, Core]:
        """Cores of these statuses read from SQL again (a copy was found stale)."""
        async with fresh(session) as primary:
            built = await _build(primary, set(ids), self.base_url, self.storage)
        await self.put_many(built.values())
        return built

    def forget(self, session: AsyncSession, ids: Iterable[int]) -> None:
        """These statuses say something else once ``session`` commits: drop the kept
        copies then."""
        forgotten = list(ids)

        async def forget() -> None:
            for status_id in forgotten:
                self._local.pop(status_id, None)
            if self.redis is not None and forgotten:
                try:
                    await self.redis.delete(*(self._key(i) for i in forgotten))
                except REDIS_DOWN:
                    log.warning("Redis unreachable: %s kept statuses rebuilt when shown", forgotten)

        after_commit(session, forget)

    def _remember(self, status_id: int, raw: bytes) -> None:
        self._local[status_id] = raw
        if len(self._local) > LOCAL_ENTRIES:
            self._local.popitem(last=False)


async def _build(
    session: AsyncSession, ids: set[int], base: str, storage: MediaStorage
) -> dict[int, Core]:
    # The media come in the same statement: a row per attachment (one for a post
    # without), so a page of posts costs no query more for its pictures; the card too.
    joined = (
        await session.execute(
            select(Status, Account.username, Poll, PreviewCard, MediaAttachment)
            .join(Account, Account.id == Status.account_id)
            .outerjoin(Poll, Poll.status_id == Status.id)
            .outerjoin(StatusCard, StatusCard.status_id == Status.id)
            .outerjoin(PreviewCard, PreviewCard.id == StatusCard.card_id)
            .outerjoin(
                MediaAttachment,
                (MediaAttachment.status_id == Status.id) & MediaAttachment.removed_at.is_(None),
            )
            .where(Status.id.in_(ids))
            .order_by(Status.id, MediaAttachment.position, MediaAttachment.id)
        )
    ).all()
    if not joined:
        return {}
    media: dict[int, list[dict[str, Any]]] = defaultdict(list)
    posts: dict[int, tuple[Status, str, Poll | None, PreviewCard | None]] = {}
    for post, author, asks, link_card, attachment in joined:
        posts[post.id] = (post, author, asks, link_card)
        if attachment is not None:
            media[post.id].append(render_media(attachment, storage=storage))
    rows = list(posts.values())
    found = list(posts)
    mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for status_id, account_id, username in await session.execute(
        select(Mention.status_id, Account.id, Account.username)
        .join(Account, Account.id == Mention.account_id)
        .where(Mention.status_id.in_(found))
    ):
        mentions[status_id].append((account_id, username))
    tags: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for status_id, name, display_name in await session.execute(
        select(StatusTag.status_id, Tag.name, Tag.display_name)
        .join(Tag, Tag.id == StatusTag.tag_id)
        .where(StatusTag.status_id.in_(found))
    ):
        tags[status_id].append((name, display_name))
    app_ids = {s.application_id for s, *_ in rows if s.application_id is not None}
    apps: dict[int, dict[str, Any]] = {}
    if app_ids:
        for app_id, name, website in await session.execute(
            select(OAuthApp.id, OAuthApp.name, OAuthApp.website).where(OAuthApp.id.in_(app_ids))
        ):
            apps[app_id] = {"name": name, "website": website}

    cores: dict[int, Core] = {}
    for status, username, poll, card in rows:
        mentioned = mentions.get(status.id, [])
        body = {
            "id": str(status.id),
            "uri": f"{base}/users/{username}/statuses/{status.id}",
            "url": f"{base}/@{username}/{status.id}",
            "created_at": iso(status.created_at),
            "edited_at": iso(status.edited_at) if status.edited_at else None,
            "content": status.content,
            "text": status.text,
            "visibility": status.visibility,
            "sensitive": status.sensitive,
            "spoiler_text": status.spoiler_text,
            "language": status.language,
            "in_reply_to_id": str(status.in_reply_to_id) if status.in_reply_to_id else None,
            "in_reply_to_account_id": (
                str(status.in_reply_to_account_id) if status.in_reply_to_account_id else None
            ),
            "application": apps.get(status.application_id) if status.application_id else None,
            "media_attachments": media.get(status.id, []),
            "mentions": [
                {"id": str(i), "username": u, "acct": u, "url": f"{base}/@{u}"}
                for i, u in mentioned
            ],
            "tags": [{"name": d, "url": f"{base}/tags/{n}"} for n, d in tags.get(status.id, [])],
            "emojis": [],
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "poll": poll_core(poll) if poll is not None else None,  # counts: render.py
            # Forgotten when the card arrives or changes (cards/service.py); render.py
            # rebuilds a copy whose card another process's cache still lacks.
            "card": render_card(card, base_url=base) if card is not None else None,
            "filtered": [],
        }
        cores[status.id] = Core(
            id=status.id,
            account_id=status.account_id,
            visibility=status.visibility,
            reblog_of_id=status.reblog_of_id,
            in_reply_to_account_id=status.in_reply_to_account_id,
            mention_ids=frozenset(i for i, _ in mentioned),
            body=body,
        )
    return cores
