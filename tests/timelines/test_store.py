"""The timeline store's cursor: entries are ordered by when they became visible."""

from __future__ import annotations

from roost.core.ids import new_id
from roost.runtime import Runtime
from roost.statuses.models import Status
from roost.timelines.cursors import STATUS_ID_FLOOR, cursor_for, now_seq
from roost.timelines.rebuild import ensure_home
from roost.timelines.store import Delivery
from tests.factories import Factory, User


async def make_status(runtime: Runtime, author_id: int, **fields: object) -> Status:
    async with runtime.db.write() as session:
        status = Status(id=new_id(), account_id=author_id, **{"text": "hello", **fields})
        session.add(status)
        await session.commit()
        return status


async def reader_of(runtime: Runtime, factory: Factory, name: str = "reader") -> User:
    """A person whose home timeline is live (in Redis, deliveries skip idle timelines)."""
    user = await factory.user(name)
    await ensure_home(runtime, user.account.id)
    return user


async def test_entries_follow_delivery_order_not_id_order(
    runtime: Runtime, factory: Factory
) -> None:
    reader = await reader_of(runtime, factory)
    writer = await factory.user("writer")
    older = await make_status(runtime, writer.account.id)
    newer = await make_status(runtime, writer.account.id)
    store = runtime.timelines

    await store.deliver([reader.account.id], Delivery(newer.id, writer.account.id))
    first = await store.page(reader.account.id)
    assert [e.status_id for e in first] == [newer.id]

    # The older post's delivery lands late: it must still appear after the cursor.
    await store.deliver([reader.account.id], Delivery(older.id, writer.account.id))
    after = await store.page(reader.account.id, min_seq=first[0].seq)
    assert [e.status_id for e in after] == [older.id]


async def test_delivery_is_idempotent(runtime: Runtime, factory: Factory) -> None:
    reader = await reader_of(runtime, factory)
    writer = await factory.user("writer")
    status = await make_status(runtime, writer.account.id)
    delivery = Delivery(status.id, writer.account.id)
    assert await runtime.timelines.deliver([reader.account.id], delivery) == [reader.account.id]
    assert await runtime.timelines.deliver([reader.account.id], delivery) == []
    assert len(await runtime.timelines.page(reader.account.id)) == 1


async def test_cursors_are_exact_doubles_and_never_look_like_status_ids(
    runtime: Runtime, factory: Factory
) -> None:
    reader = await reader_of(runtime, factory)
    writer = await factory.user("writer")
    status = await make_status(runtime, writer.account.id)
    await runtime.timelines.deliver([reader.account.id], Delivery(status.id, writer.account.id))
    [entry] = await runtime.timelines.page(reader.account.id)
    assert entry.seq < STATUS_ID_FLOOR <= status.id
    assert float(entry.seq) == entry.seq
    assert entry.seq <= now_seq()


async def test_a_status_id_sent_as_cursor_means_its_entry(
    runtime: Runtime, factory: Factory
) -> None:
    reader = await reader_of(runtime, factory)
    writer = await factory.user("writer")
    store = runtime.timelines
    statuses = [await make_status(runtime, writer.account.id) for _ in range(3)]
    for status in statuses:
        await store.deliver([reader.account.id], Delivery(status.id, writer.account.id))
    middle = await store.seq_of(reader.account.id, statuses[1].id)
    assert await cursor_for(store, reader.account.id, statuses[1].id) == middle
    older = await store.page(reader.account.id, max_seq=middle)
    assert [e.status_id for e in older] == [statuses[0].id]


async def test_boost_appears_once_and_not_to_the_boosted_author(
    runtime: Runtime, factory: Factory
) -> None:
    reader = await reader_of(runtime, factory)
    author = await factory.user("author")
    booster = await factory.user("booster")
    post = await make_status(runtime, author.account.id)
    boost = await make_status(runtime, booster.account.id, reblog_of_id=post.id, text="")
    store = runtime.timelines
    await store.deliver([reader.account.id], Delivery(post.id, author.account.id))
    delivery = Delivery(boost.id, booster.account.id, post.id, author.account.id)
    # The reader already has the post; the author never sees boosts of their own post.
    await ensure_home(runtime, author.account.id)
    assert await store.deliver([reader.account.id, author.account.id], delivery) == []


async def test_remove_author_and_status(runtime: Runtime, factory: Factory) -> None:
    reader = await reader_of(runtime, factory)
    a = await factory.user("a")
    b = await factory.user("b")
    store = runtime.timelines
    from_a = await make_status(runtime, a.account.id)
    from_b = await make_status(runtime, b.account.id)
    await store.deliver([reader.account.id], Delivery(from_a.id, a.account.id))
    await store.deliver([reader.account.id], Delivery(from_b.id, b.account.id))
    await store.remove_author(reader.account.id, a.account.id)
    assert [e.status_id for e in await store.page(reader.account.id)] == [from_b.id]
    await store.remove_status(from_b.id, [reader.account.id])
    assert await store.page(reader.account.id) == []


async def test_both_stores_page_by_the_one_paginators_rules(
    runtime: Runtime, factory: Factory
) -> None:
    """The SQL and the Redis store (whichever this run has) take their bounds from
    ``core.paging.Window``: exclusive cursors, min_seq upwards and newest first, and
    since_seq with min_seq together both bounding."""
    reader = await reader_of(runtime, factory)
    writer = await factory.user("writer")
    store, owner = runtime.timelines, reader.account.id
    for _ in range(6):
        status = await make_status(runtime, writer.account.id)
        await store.deliver([owner], Delivery(status.id, writer.account.id))
    every = await store.page(owner, limit=40)
    seqs = [e.seq for e in every]  # newest first
    assert len(seqs) == 6 and seqs == sorted(seqs, reverse=True)

    assert [e.seq for e in await store.page(owner, max_seq=seqs[1], limit=2)] == seqs[2:4]
    assert [e.seq for e in await store.page(owner, since_seq=seqs[4], limit=2)] == seqs[0:2]
    assert [e.seq for e in await store.page(owner, min_seq=seqs[4], limit=2)] == seqs[2:4]
    for since, low in ((seqs[3], seqs[5]), (seqs[5], seqs[3])):
        both = await store.page(owner, since_seq=since, min_seq=low, limit=2)
        assert [e.seq for e in both] == seqs[1:3]
    assert await store.page(owner, min_seq=seqs[0]) == []
