"""Deleting one's own account, as Mastodon does (Settings::DeletesController, then
DeleteAccountService with the username reserved).

The request (``delete_own_account``) confirms the password and, in one transaction,
turns the account into a tombstone: suspended and deleted (``deleted_at``), its
profile emptied, its address freed, its password unusable, every token revoked
(open streams end), its scheduled posts dropped; and it owes the ``purge_account``
job. From that commit on nobody can sign in as it, its profile answers 404 (410 on
the web page), and nobody can sign up with its username: the row stays.

The job (``purge_account``) removes the rest, in batches, each its own transaction,
and may run any number of times (a crash, a retry): every step deletes what is still
there. Order matters:

1. its posts leave every timeline its follows fed (``withdraw_author``), while the
   follows and posts that tell which entries those are still exist;
2. its posts, through statuses' deletion path (counts, boosts, replies, streams,
   conversations, kept pages: all as for a post deleted by hand);
3. its favourites (each post's count goes down) and bookmarks;
4. every relation either way: follows (the others' counts go down), follow
   requests, blocks, mutes, notes;
5. its lists, notifications, filters and the rest of its own rows;
6. its uploads, avatar and header, rows and files (``media/service.py``);
7. its home timeline.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.credentials import account_key
from roost.accounts.models import Account
from roost.announcements.models import AnnouncementReaction, AnnouncementRead
from roost.conversations.models import AccountConversation
from roost.core.db import commit, utcnow
from roost.core.errors import NotFound, Unauthorized
from roost.core.security import verify_password
from roost.discovery.models import SuggestionDismissal
from roost.domain_blocks.models import DomainBlock
from roost.featured_tags.models import FeaturedTag
from roost.filters.models import Filter
from roost.follows.relations import related_to
from roost.follows.service import sever
from roost.jobs.outbox import schedule_job
from roost.lifecycle.models import AccountImport
from roost.lists import service as lists
from roost.lists.models import List
from roost.mail.models import MailToken
from roost.markers.models import Marker
from roost.media.service import remove_account_media
from roost.moderation.counts import recount_around
from roost.notifications.service import forget_account
from roost.oauth.tokens import revoke_account_access
from roost.scheduled.models import ScheduledStatus
from roost.statuses.interactions import remove_favourites_of
from roost.statuses.models import ConversationMute, IdempotencyKey
from roost.statuses.service import remove_statuses_of
from roost.streaming.ending import end_streams
from roost.tags.models import TagFollow
from roost.timelines.fanout import withdraw_author

if TYPE_CHECKING:
    from roost.runtime import Runtime

PURGE_JOB = "purge_account"
BATCH = 100
UNUSABLE_PASSWORD = "!deleted"  # no argon2 hash: no password ever matches it
# Rows of the account's own that nothing counts or caches for anyone else: they go
# as they are. What others see or count (posts, favourites, follows, notifications,
# lists) goes through its owner's verbs above.
OWN_ROWS = (
    ScheduledStatus,
    Filter,  # its keywords and statuses cascade
    FeaturedTag,
    TagFollow,
    DomainBlock,
    Marker,
    AccountConversation,
    ConversationMute,
    IdempotencyKey,
    AnnouncementRead,
    AnnouncementReaction,
    SuggestionDismissal,
    MailToken,
    AccountImport,
)


async def delete_own_account(
    *,
    read_session: AsyncSession,
    write_session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    password: str,
) -> None:
    """The person confirmed with their password: the account becomes a tombstone at
    once, and the purge job is owed. A wrong password changes nothing (and counts as a
    sign-in attempt on the account). The password is checked on ``read_session``, so
    the write transaction only holds the lock for the writes."""
    await runtime.limiter.hit("login_account", account_key(account_id))
    password_hash = await read_session.scalar(
        select(Account.password_hash).where(Account.id == account_id, Account.deleted_at.is_(None))
    )
    if password_hash is None:
        raise NotFound()
    if not await asyncio.to_thread(verify_password, password_hash, password):
        raise Unauthorized("The password is not right.")
    account = await write_session.get(Account, account_id)
    if account is None or account.deleted_at is not None:
        raise NotFound()
    await tombstone_account(session=write_session, runtime=runtime, account=account)
    await commit(write_session)


async def tombstone_account(*, session: AsyncSession, runtime: Runtime, account: Account) -> None:
    """Make ``account`` a tombstone in the caller's transaction (the caller commits):
    signed out everywhere, its profile emptied, the purge job owed. For the person's own
    deletion, and a moderator's (``DELETE /api/v1/admin/accounts/:id``)."""
    now = utcnow()
    account.deleted_at = now
    account.suspended_at = account.suspended_at or now
    account.display_name = ""
    account.note = ""
    account.note_html = ""
    account.locked = False
    account.bot = False
    account.discoverable = False
    account.password_hash = UNUSABLE_PASSWORD
    # The address is free for a new account (Mastodon keeps only the username).
    account.email = f"deleted-{account.id}"
    await revoke_account_access(session, runtime, account.id)
    await session.execute(delete(ScheduledStatus).where(ScheduledStatus.account_id == account.id))
    end_streams(session=session, runtime=runtime, account_ids=[account.id])
    runtime.accounts.forget(session, [account.id])
    schedule_job(session, runtime, PURGE_JOB, account_id=account.id)


async def purge_account(*, runtime: Runtime, account_id: int) -> None:
    """The job's body: remove everything of a deleted account but its row (see the
    module's docstring for the order)."""
    async with runtime.db.read() as session:
        deleted = await session.scalar(select(Account.deleted_at).where(Account.id == account_id))
    if deleted is None:
        return  # no such account, or not deleted
    await withdraw_author(runtime, author_id=account_id)
    for remove in (remove_statuses_of, remove_favourites_of):
        while True:
            async with runtime.db.write() as session:
                if not await remove(
                    session=session, runtime=runtime, account_id=account_id, limit=BATCH
                ):
                    break
    # A deleted account is suspended, and a suspended account is left out of others'
    # follow counts (moderation/counts.py): recount them now, while the follows still
    # say whose, and severing them below steps no count again.
    await recount_around(runtime, account_id)
    await _sever_relations(runtime, account_id)
    await _delete_lists(runtime, account_id)
    async with runtime.db.write() as session:
        await forget_account(session=session, account_id=account_id)
        for model in OWN_ROWS:
            await session.execute(delete(model).where(model.account_id == account_id))
        await session.execute(
            delete(SuggestionDismissal).where(SuggestionDismissal.target_account_id == account_id)
        )
        await session.execute(
            update(Account)
            .where(Account.id == account_id)
            .values(followers_count=0, following_count=0, statuses_count=0, last_status_at=None)
        )
        runtime.accounts.forget(session, [account_id])
        await commit(session)
    await remove_account_media(runtime=runtime, account_id=account_id)
    await runtime.timelines.drop(account_id)


async def _sever_relations(runtime: Runtime, account_id: int) -> None:
    while True:
        async with runtime.db.read() as session:
            others = await related_to(session, account_id, limit=BATCH)
        if not others:
            return
        for other_id in others:
            async with runtime.db.write() as session:
                await sever(
                    session=session, runtime=runtime, account_id=account_id, other_id=other_id
                )


async def _delete_lists(runtime: Runtime, account_id: int) -> None:
    async with runtime.db.read() as session:
        owned = list(await session.scalars(select(List.id).where(List.account_id == account_id)))
    for list_id in owned:
        async with runtime.db.write() as session:
            try:
                await lists.delete_list(
                    session=session, runtime=runtime, owner_id=account_id, list_id=list_id
                )
            except NotFound:  # deleted by an earlier run
                continue
