"""Fan-out on write: put a new status into the home and list timelines of the people
who should see it. Services call the ``schedule_*`` functions inside their
transaction; the work runs as outbox jobs after commit (see jobs/outbox.py).

Who receives a status is recipients.py's rule, the one every path asks. The author
gets it at once after commit (read-your-writes), and again by the job. Accounts with
more than ``fanout_limit`` followers are not fanned out to their followers at all:
readers merge their posts in at read time (merge.py), so a post costs the same
whatever the following. The fan-out also rings the bell of the author's subscribers
(notifications/subscribers.py), as Mastodon's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Histogram
from sqlalchemy import CompoundSelect, Select, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import after_commit, as_utc, utcnow
from roost.follows.relations import followers_of
from roost.jobs.outbox import schedule_job
from roost.jobs.runner import job
from roost.lists.lookup import lists_holding
from roost.notifications.subscribers import notify_subscribers, rings_the_bell
from roost.statuses.models import Status, StatusTag
from roost.streaming.publish import (
    publish_author_update,
    publish_delete,
    publish_home_update,
    publish_list_update,
    publish_public,
    publish_status_update,
)
from roost.timelines.recipients import (
    deliveries_of,
    home_admits,
    home_statuses,
    list_recipients_query,
    list_statuses,
    recipients_query,
)
from roost.timelines.store import Delivery

if TYPE_CHECKING:
    from roost.runtime import Runtime

MERGE_ON_FOLLOW = 40

FANOUT_LAG = Histogram(
    "roost_fanout_lag_seconds",
    "From a post's (or boost's) creation to its last delivery into home and list "
    "timelines by its fan-out job: queueing, retries and the deliveries themselves",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)


def schedule_fan_out(session: AsyncSession, runtime: Runtime, status: Status) -> None:
    """Deliver ``status`` (a post or a boost) once this transaction commits."""
    schedule_job(session, runtime, "fan_out", status_id=status.id)
    delivery = Delivery(
        status_id=status.id, author_id=status.account_id, reblog_of_id=status.reblog_of_id
    )

    async def deliver_to_author() -> None:
        await deliver(runtime, [status.account_id], delivery)
        await runtime.timelines.note_posted([status.account_id])

    after_commit(session, deliver_to_author)


def schedule_merge_author(
    session: AsyncSession, runtime: Runtime, *, owner_id: int, author_id: int
) -> None:
    """After a follow: bring the author's recent posts into the follower's timeline."""
    schedule_job(session, runtime, "merge_author", owner_id=owner_id, author_id=author_id)


def schedule_remove_author(
    session: AsyncSession, runtime: Runtime, *, owner_id: int, author_id: int
) -> None:
    """After an unfollow or block: take the author's posts out of the owner's timeline."""
    schedule_job(session, runtime, "remove_author", owner_id=owner_id, author_id=author_id)


def schedule_remove_status(
    session: AsyncSession, runtime: Runtime, *, status_id: int, author_id: int | None = None
) -> None:
    """After a delete: take the status and boosts of it out of the timelines it reached."""
    schedule_job(session, runtime, "remove_status", status_id=status_id, author_id=author_id)


def schedule_update(session: AsyncSession, runtime: Runtime, *, status_id: int) -> None:
    """After an edit: tell the streams that may show the post (no new delivery)."""
    schedule_job(session, runtime, "status_update", status_id=status_id)


def schedule_merge_list_member(
    session: AsyncSession, runtime: Runtime, *, list_id: int, owner_id: int, author_id: int
) -> None:
    """After a member joins a list: bring their recent posts into its timeline."""
    schedule_job(
        session,
        runtime,
        "merge_list_member",
        list_id=list_id,
        owner_id=owner_id,
        author_id=author_id,
    )


def schedule_remove_list_member(
    session: AsyncSession, runtime: Runtime, *, list_id: int, author_id: int
) -> None:
    """After a member leaves a list: take their posts out of its timeline."""
    schedule_job(session, runtime, "remove_list_member", list_id=list_id, author_id=author_id)


def schedule_unmerge_tag(
    session: AsyncSession, runtime: Runtime, *, owner_id: int, tag_id: int
) -> None:
    """After a tag unfollow: take out of home the tag's posts the rule no longer admits."""
    schedule_job(session, runtime, "unmerge_tag", owner_id=owner_id, tag_id=tag_id)


def schedule_merge_tag(
    session: AsyncSession, runtime: Runtime, *, owner_id: int, tag_id: int
) -> None:
    """After a tag follow: bring the tag's recent posts that the rule admits into home."""
    schedule_job(session, runtime, "merge_tag", owner_id=owner_id, tag_id=tag_id)


@job("fan_out")
async def fan_out(runtime: Runtime, *, status_id: int) -> None:
    async with runtime.db.read() as session:
        status = await session.get(Status, status_id)
        if status is None:  # deleted before its fan-out ran
            return
        original = await session.get(Status, status.reblog_of_id) if status.reblog_of_id else None
        bell = rings_the_bell(status)
        author = await session.get(Account, status.account_id)
        big = author is not None and author.followers_count > runtime.settings.fanout_limit
        recipients = sorted(
            set(
                await _ids(
                    session,
                    recipients_query(
                        status,
                        boosted_author=original.account_id if original else None,
                        followers=not big,
                    ),
                )
            )
        )
    delivery = Delivery(
        status_id=status.id,
        author_id=status.account_id,
        reblog_of_id=status.reblog_of_id,
        reblog_of_author_id=original.account_id if original else None,
    )
    batch = runtime.settings.fanout_batch
    for start in range(0, len(recipients), batch):
        await deliver(runtime, recipients[start : start + batch], delivery)
    if runtime.page_cache is not None:  # the author's own delivery was made at commit
        runtime.page_cache.note_changed([status.account_id])
    if not big:  # big accounts reach lists as they reach home: by the read-time merge
        async with runtime.db.read() as session:
            query = list_recipients_query(status, boosted_author=delivery.reblog_of_author_id)
            lists = sorted(set(await _ids(session, query)))
        for start in range(0, len(lists), batch):
            await deliver_to_lists(runtime, lists[start : start + batch], delivery)
    if big:  # again here, in case the process died between commit and the first one
        await runtime.timelines.note_posted([status.account_id])
        if status.visibility != "direct":
            await publish_author_update(runtime, status.account_id, status.id)
    FANOUT_LAG.observe((utcnow() - as_utc(status.created_at)).total_seconds())
    if status.visibility == "public" and status.reblog_of_id is None:
        await publish_public(runtime, status.id)
    if bell:
        await notify_subscribers(runtime, status_id=status.id, author_id=status.account_id)


@job("status_update")
async def status_update(runtime: Runtime, *, status_id: int) -> None:
    """``status.update`` to the streams the post went to: the ``user`` streams of the
    owners the rule gives it to (the same rule as its fan-out, so a newly mentioned
    reader hears of it too), its big author's followers, and the public and hashtag
    streams for a public post. Each stream renders it for its own subscriber, after the
    same privacy checks as any read."""
    async with runtime.db.read() as session:
        status = await session.get(Status, status_id)
        if status is None:  # deleted since
            return
        author = await session.get(Account, status.account_id)
        big = author is not None and author.followers_count > runtime.settings.fanout_limit
        owners = sorted(set(await _ids(session, recipients_query(status, followers=not big))))
    await publish_status_update(
        runtime,
        status_id,
        owner_ids=owners,
        author_id=status.account_id if big and status.visibility != "direct" else None,
        public=status.visibility == "public",
    )


async def deliver(runtime: Runtime, owner_ids: list[int], delivery: Delivery) -> None:
    """Deliver, then tell the streams of the people it was new to, and have their kept
    home pages rendered again before they read them (page_refresh.py)."""
    added = await runtime.timelines.deliver(owner_ids, delivery)
    if added:
        await publish_home_update(runtime, added, delivery.status_id)
    if runtime.page_cache is not None:
        runtime.page_cache.note_changed(added.paged)


async def deliver_to_lists(runtime: Runtime, list_ids: list[int], delivery: Delivery) -> None:
    """Deliver into list timelines, then tell their ``list`` streams."""
    added = await runtime.list_timelines.deliver(list_ids, delivery)
    if added:
        await publish_list_update(runtime, added, delivery.status_id)


async def _ids(session: AsyncSession, query: Select[int] | CompoundSelect[int]) -> list[int]:
    """The ids ``query`` selects, fetched as ONE value: an array on PostgreSQL, a
    comma-separated string on SQLite (the two databases Roost runs on).

    A row per id costs ~1.5 us of SQLAlchemy result processing (ORM ``loading``, then
    ``Result``), so 10,000 followers took ~15-30 ms as rows against ~2.5 ms as one
    ``array_agg``, which asyncpg decodes in C (the query itself, subqueries and UNION
    included, is ~1 ms of PostgreSQL time either way).
    """
    rows = query.subquery()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        array = await session.scalar(select(func.array_agg(rows.c[0])))
        return list(array or ())
    joined = await session.scalar(select(func.group_concat(rows.c[0], ",")))
    return [int(value) for value in joined.split(",")] if joined else []


@job("merge_author")
async def merge_author(runtime: Runtime, *, owner_id: int, author_id: int) -> None:
    """After a follow: the author's recent posts that the rule admits, oldest first so
    the newest gets the newest cursor."""
    async with runtime.db.read() as session:
        query = home_statuses(owner_id, author_id=author_id)
        rows = (
            await session.execute(query.order_by(Status.id.desc()).limit(MERGE_ON_FOLLOW))
        ).all()
        deliveries = await deliveries_of(session, author_id, reversed(rows))
    for delivery in deliveries:
        await deliver(runtime, [owner_id], delivery)


@job("merge_list_member")
async def merge_list_member(
    runtime: Runtime, *, list_id: int, owner_id: int, author_id: int
) -> None:
    """A new member's recent posts that the list's rule admits, oldest first."""
    async with runtime.db.read() as session:
        query = list_statuses(list_id, owner_id, author_id=author_id)
        rows = (
            await session.execute(query.order_by(Status.id.desc()).limit(MERGE_ON_FOLLOW))
        ).all()
        deliveries = await deliveries_of(session, author_id, reversed(rows))
    for delivery in deliveries:
        await deliver_to_lists(runtime, [list_id], delivery)


@job("remove_list_member")
async def remove_list_member(runtime: Runtime, *, list_id: int, author_id: int) -> None:
    await runtime.list_timelines.remove_author(list_id, author_id)


@job("merge_tag")
async def merge_tag(runtime: Runtime, *, owner_id: int, tag_id: int) -> None:
    """After a tag follow: its recent posts that the home rule admits, oldest first."""
    async with runtime.db.read() as session:
        query = home_statuses(owner_id, tag_id=tag_id)
        rows = (
            await session.execute(query.order_by(Status.id.desc()).limit(MERGE_ON_FOLLOW))
        ).all()
        found = await session.execute(
            select(Status.id, Status.account_id).where(Status.id.in_([r[0] for r in rows]))
        )
        authors: dict[int, int] = {status_id: author for status_id, author in found}
    # A followed tag admits posts, never boosts: each is its author's own delivery.
    deliveries = [
        Delivery(status_id=status_id, author_id=authors[status_id])
        for status_id, _ in reversed(rows)
    ]
    for delivery in deliveries:
        await deliver(runtime, [owner_id], delivery)


@job("unmerge_tag")
async def unmerge_tag(runtime: Runtime, *, owner_id: int, tag_id: int) -> None:
    """After a tag unfollow: the tag's recent posts (as many as a timeline holds) that
    the home rule no longer admits leave home; those of followed people stay."""
    async with runtime.db.read() as session:
        tagged = (
            select(StatusTag.status_id)
            .where(StatusTag.tag_id == tag_id)
            .order_by(StatusTag.status_id.desc())
            .limit(runtime.settings.timeline_cap)
            .subquery()
        )
        gone = await session.scalars(
            select(Status.id).where(
                Status.id.in_(select(tagged.c.status_id)), ~home_admits(literal(owner_id))
            )
        )
        status_ids = list(gone.all())
    await runtime.timelines.remove_entries(owner_id, status_ids)


@job("remove_author")
async def remove_author(runtime: Runtime, *, owner_id: int, author_id: int) -> None:
    await runtime.timelines.remove_author(owner_id, author_id)


@job("remove_status")
async def remove_status(runtime: Runtime, *, status_id: int, author_id: int | None = None) -> None:
    owners: list[int] = []
    lists: list[int] = []
    if author_id is not None:
        async with runtime.db.read() as session:
            owners = [
                author_id,
                *await session.scalars(followers_of(author_id)),
            ]
            lists = await lists_holding(session, author_id)
    await runtime.timelines.remove_status(status_id, owners)
    await runtime.list_timelines.remove_status(status_id, lists)
    await publish_delete(runtime, status_id)


async def withdraw_author(runtime: Runtime, *, author_id: int) -> None:
    """Take an author's posts and boosts out of every timeline its follows fed: its
    followers' homes, its own, and the lists holding it. For an account being deleted:
    run while its follows and statuses still exist, since both are what is read here
    (``remove_status`` jobs after its statuses are gone find no followers to clear)."""
    async with runtime.db.read() as session:
        owners = [author_id, *await session.scalars(followers_of(author_id))]
        lists = await lists_holding(session, author_id)
    for owner in owners:
        await runtime.timelines.remove_author(owner, author_id)
    for list_id in lists:
        await runtime.list_timelines.remove_author(list_id, author_id)
