"""Posting and deleting statuses (Mastodon's PostStatusService and RemoveStatusService).

A post is validated completely before anything is written; then the status, its
mentions, tags, counters, notifications and fan-out job commit in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.cards.service import schedule_card
from roost.conversations.updates import record_direct_status, schedule_conversation_repair
from roost.core.db import commit, utcnow
from roost.core.errors import Forbidden, Unprocessable
from roost.core.ids import new_id
from roost.follows.relations import blockers_of
from roost.media.attach import attach_media, check_media, release_media
from roost.notifications.service import notify, withdraw
from roost.polls.schemas import PollIn
from roost.polls.service import attach_poll, check_poll
from roost.statuses import counters
from roost.statuses.formatting import extract, status_length, to_html
from roost.statuses.lookup import get_visible, get_visible_original
from roost.statuses.models import IdempotencyKey, Mention, Status, StatusTag, Tag
from roost.statuses.render import render_statuses
from roost.statuses.sensitive import is_sensitive
from roost.statuses.visibility import LISTED_VISIBILITIES
from roost.timelines.fanout import schedule_fan_out, schedule_remove_status

if TYPE_CHECKING:
    from roost.runtime import Runtime

POSTS_CREATED = Counter(
    "roost_posts_created_total",
    "Posts published (boosts not counted), by visibility",
    ["visibility"],
)
MAX_CHARACTERS = 500
MAX_KEY_LENGTH = 200
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})?$")


async def post_status(
    *,
    session: AsyncSession,
    runtime: Runtime,
    author: Account,
    app_id: int | None,
    text: str | None,
    visibility: str | None = None,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
    in_reply_to_id: int | None = None,
    media_ids: Sequence[int] = (),
    poll: PollIn | None = None,
    idempotency_key: str | None = None,
) -> Status:
    """Publish a status; with ``idempotency_key``, a retry returns the first result.
    ``media_ids`` are uploads it takes (media/attach.py); with them the text may be
    empty."""
    if idempotency_key is not None:
        if len(idempotency_key) > MAX_KEY_LENGTH:
            raise Unprocessable("Idempotency-Key is too long")
        earlier = await _status_for_key(session, author.id, idempotency_key)
        if earlier is not None:
            await commit(session)
            return earlier
    text = (text or "").strip()
    spoiler_text = (spoiler_text or "").strip()
    check_post(text, spoiler_text, language, bool(media_ids))
    if poll is not None:
        check_poll(poll, settings=runtime.settings)
    media = await check_media(
        session=session, owner_id=author.id, media_ids=media_ids, has_poll=poll is not None
    )
    parent = (
        await get_visible_original(session, author.id, in_reply_to_id)
        if in_reply_to_id is not None
        else None
    )
    await runtime.limiter.hit("post", str(author.id))

    settings = runtime.settings
    found = extract(text, domain=settings.domain)
    mentioned = await mentionable(session, author.id, found.mentions)
    status_id = new_id()
    status = Status(
        id=status_id,
        account_id=author.id,
        text=text,
        content=to_html(
            text,
            {a.username_lower: a for a in mentioned},
            base_url=settings.base_url,
            domain=settings.domain,
        ),
        spoiler_text=spoiler_text,
        sensitive=is_sensitive(
            author=author,
            asked=author.default_sensitive if sensitive is None else sensitive,
            spoiler_text=spoiler_text,
        ),
        visibility=visibility or author.default_privacy,
        language=language or author.default_language,
        in_reply_to_id=parent.id if parent else None,
        in_reply_to_account_id=parent.account_id if parent else None,
        thread_id=(parent.thread_id or parent.id) if parent else status_id,
        application_id=app_id,
        created_at=utcnow(),
    )
    session.add(status)
    await session.flush()
    if idempotency_key is not None:
        session.add(IdempotencyKey(account_id=author.id, key=idempotency_key, status_id=status.id))
        try:
            await session.flush()
        except IntegrityError:  # the same key, posted concurrently, won
            await session.rollback()  # and with it what it would have done after commit
            earlier = await _status_for_key(session, author.id, idempotency_key)
            if earlier is None:
                raise
            return earlier

    if poll is not None:
        attach_poll(session, runtime, status=status, poll=poll)
    attach_media(media, status_id=status.id)
    for account in mentioned:
        session.add(Mention(id=new_id(), status_id=status.id, account_id=account.id))
    for tag_id in await tag_ids(session, found.tags):
        session.add(StatusTag(status_id=status.id, tag_id=tag_id))

    if status.visibility != "direct":
        await counters.add_to_accounts(
            session, [author.id], runtime=runtime, statuses=1, touch=True
        )
    if parent is not None and status.visibility in LISTED_VISIBILITIES:
        await counters.add_to_status(session, parent.id, runtime=runtime, replies=1)
    for account in mentioned:
        await notify(
            session=session,
            runtime=runtime,
            recipient_id=account.id,
            actor_id=author.id,
            type="mention",
            status_id=status.id,
        )
    schedule_fan_out(session, runtime, status)
    schedule_card(session, runtime, status)
    if status.visibility == "direct":
        await record_direct_status(session, runtime, status)
    await commit(session)
    POSTS_CREATED.labels(status.visibility).inc()
    return status


def check_post(text: str, spoiler_text: str, language: str | None, has_media: bool) -> None:
    """Refuse a post that cannot be published (also asked when one is scheduled and
    when one is edited): without media it needs text."""
    if not text and not has_media:
        raise Unprocessable("Validation failed: Text can't be blank")
    if status_length(text) + len(spoiler_text) > MAX_CHARACTERS:
        raise Unprocessable(f"Validation failed: Text character limit of {MAX_CHARACTERS} exceeded")
    if language is not None and not _LANGUAGE.match(language):
        raise Unprocessable("Validation failed: language is not a language code")


async def _status_for_key(session: AsyncSession, account_id: int, key: str) -> Status | None:
    return await session.scalar(
        select(Status)
        .join(IdempotencyKey, IdempotencyKey.status_id == Status.id)
        .where(IdempotencyKey.account_id == account_id, IdempotencyKey.key == key)
    )


async def mentionable(session: AsyncSession, author_id: int, usernames: list[str]) -> list[Account]:
    """Local accounts named in the text, in order, leaving out those who block the author."""
    if not usernames:
        return []
    rows = await session.scalars(
        select(Account).where(Account.username_lower.in_(usernames), Account.deleted_at.is_(None))
    )
    by_name = {a.username_lower: a for a in rows.all()}
    blockers = await blockers_of(session, target=author_id, among=[a.id for a in by_name.values()])
    return [by_name[n] for n in usernames if n in by_name and by_name[n].id not in blockers]


async def tag_ids(session: AsyncSession, names: list[str]) -> list[int]:
    """Get or create each tag (by lowercase name); safe against concurrent creators."""
    if not names:
        return []
    wanted = {name.lower(): name for name in reversed(names)}  # first spelling wins
    insert = postgresql.insert(Tag) if _dialect(session) == "postgresql" else sqlite.insert(Tag)
    now = utcnow()
    await session.execute(
        insert.values(
            [
                {"id": new_id(), "name": lower, "display_name": shown, "created_at": now}
                for lower, shown in wanted.items()
            ]
        ).on_conflict_do_nothing(index_elements=["name"])
    )
    rows = await session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(list(wanted))))
    ids = {name: tag_id for name, tag_id in rows.all()}
    return [ids[name.lower()] for name in dict.fromkeys(n.lower() for n in names)]


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def delete_status(
    *,
    session: AsyncSession,
    runtime: Runtime,
    viewer: Account,
    status_id: int,
    delete_media: bool = False,
) -> dict[str, Any]:
    """Delete one's own status; returns it as it was, with its ``text`` and media for
    redrafting. Its media are kept, unattached, for a new post unless ``delete_media``
    (media/attach.py: ``release_media``)."""
    status = await get_visible(session, viewer.id, status_id)
    if status.account_id != viewer.id:
        raise Forbidden("This action is not allowed")
    rendered = (await render_statuses(session, [status], viewer.id, runtime=runtime))[0]
    await _remove(session, runtime, status, delete_media=delete_media)
    await commit(session)
    return rendered


async def _remove(
    session: AsyncSession, runtime: Runtime, status: Status, *, delete_media: bool
) -> None:
    """Delete a status with everything that counted it: its author's and its boosters'
    counts, its original's boosts count and notification, its parent's replies count,
    its media (their files too with ``delete_media``), then the timelines, streams and
    conversations it reached (after commit). The caller commits."""
    boosters = list(
        await session.scalars(select(Status.account_id).where(Status.reblog_of_id == status.id))
    )
    await counters.add_to_accounts(session, boosters, runtime=runtime, statuses=-1)
    if status.visibility != "direct":
        await counters.add_to_accounts(session, [status.account_id], runtime=runtime, statuses=-1)
    if status.reblog_of_id is not None:
        original = await session.get(Status, status.reblog_of_id)
        if original is not None:
            await counters.add_to_status(session, original.id, runtime=runtime, reblogs=-1)
            await withdraw(
                session=session,
                recipient_id=original.account_id,
                actor_id=status.account_id,
                type="reblog",
                status_id=original.id,
            )
    if status.in_reply_to_id is not None and status.visibility in LISTED_VISIBILITIES:
        await counters.add_to_status(session, status.in_reply_to_id, runtime=runtime, replies=-1)
    await release_media(
        session=session, runtime=runtime, status_id=status.id, delete_media=delete_media
    )
    # The database cascades: boosts of it, mentions, tags, favourites, notifications,
    # timeline entries.
    await session.execute(delete(Status).where(Status.id == status.id))
    runtime.versions.forget(session, "status", [status.id])
    schedule_remove_status(session, runtime, status_id=status.id, author_id=status.account_id)
    if status.visibility == "direct":
        schedule_conversation_repair(session, runtime, status_id=status.id)


async def remove_statuses_of(
    *, session: AsyncSession, runtime: Runtime, account_id: int, limit: int
) -> int:
    """Delete up to ``limit`` of an account's statuses (its newest first, boosts
    included) by the path of ``delete_status``, and commit; how many were deleted (0:
    none is left). For an account being deleted (lifecycle/deletion.py)."""
    batch = list(
        await session.scalars(
            select(Status)
            .where(Status.account_id == account_id)
            .order_by(Status.id.desc())
            .limit(limit)
        )
    )
    for status in batch:
        await _remove(session, runtime, status, delete_media=True)
    await commit(session)
    return len(batch)
