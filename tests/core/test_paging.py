"""The one paginator: Mastodon's cursors on a real table, and the Link header's cursors.

Forty-five statuses with ids 1001..1045 stand for any listing paged on a key.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.requests import Request

from roost.core.http import MAX_LIMIT, PageParams, link_header
from roost.core.paging import Page, Window, paginate
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory

FIRST, LAST = 1001, 1045


@pytest.fixture
async def author(runtime: Runtime, factory: Factory) -> int:
    user = await factory.user("keys")
    async with runtime.db.write() as session:
        session.add_all(
            Status(id=key, account_id=user.account.id) for key in range(FIRST, LAST + 1)
        )
        await session.commit()
    return user.account.id


async def read(runtime: Runtime, author: int, **params: Any) -> Page[Any]:
    async with runtime.db.read() as session:
        query = select(Status.id).where(Status.account_id == author)
        return await paginate(session, query, key=Status.id, page=PageParams(**params))


def newest(count: int, below: int = LAST + 1) -> list[int]:
    return list(range(below - 1, below - 1 - count, -1))


async def test_first_page_is_the_newest_with_its_cursors(runtime: Runtime, author: int) -> None:
    page = await read(runtime, author, limit=3)
    assert page.items == [1045, 1044, 1043]
    assert (page.next_max, page.prev_min) == (1043, 1045)


async def test_max_id_pages_back_below_it(runtime: Runtime, author: int) -> None:
    page = await read(runtime, author, max_id=1005, limit=3)
    assert page.items == [1004, 1003, 1002]
    assert (page.next_max, page.prev_min) == (1002, 1004)
    assert (await read(runtime, author, max_id=1002, limit=3)).items == [1001]


async def test_since_id_takes_the_newest_above_it(runtime: Runtime, author: int) -> None:
    page = await read(runtime, author, since_id=1005, limit=3)
    assert page.items == [1045, 1044, 1043]
    assert (await read(runtime, author, since_id=1043)).items == [1045, 1044]


async def test_min_id_takes_those_just_above_it_newest_first(runtime: Runtime, author: int) -> None:
    page = await read(runtime, author, min_id=1005, limit=3)
    assert page.items == [1008, 1007, 1006]
    assert (page.next_max, page.prev_min) == (1006, 1008)
    # The prev link of a page, followed, gives the page just above it.
    above = await read(runtime, author, min_id=page.prev_min, limit=3)
    assert above.items == [1011, 1010, 1009]


async def test_since_id_and_min_id_together_both_bound_and_the_page_goes_up(
    runtime: Runtime, author: int
) -> None:
    for since_id, min_id in ((1007, 1003), (1003, 1007)):
        page = await read(runtime, author, since_id=since_id, min_id=min_id, limit=2)
        assert page.items == [1009, 1008]
    between = await read(runtime, author, min_id=1002, max_id=1006, limit=10)
    assert between.items == [1005, 1004, 1003]


@pytest.mark.parametrize(("asked", "given"), [(0, 1), (-5, 1), (1, 1), (40, 40), (41, 40)])
async def test_limit_is_clamped(runtime: Runtime, author: int, asked: int, given: int) -> None:
    page = await read(runtime, author, limit=asked)
    assert page.items == newest(given)
    assert Window.of(PageParams(limit=asked)).limit == given


async def test_default_limit_and_a_window_of_its_own(runtime: Runtime, author: int) -> None:
    assert len((await read(runtime, author)).items) == 20
    # Code paging for itself (an unread count) is not held to the API's clamp.
    async with runtime.db.read() as session:
        query = select(Status.id).where(Status.account_id == author)
        page = await paginate(session, query, key=Status.id, page=Window(limit=MAX_LIMIT + 5))
    assert page.items == newest(MAX_LIMIT + 5)


@pytest.mark.parametrize(
    "params", [{"max_id": FIRST}, {"min_id": LAST}, {"since_id": LAST}, {"min_id": 2000}]
)
async def test_empty_pages_have_no_cursors(
    runtime: Runtime, author: int, params: dict[str, int]
) -> None:
    page = await read(runtime, author, **params)
    assert page == Page(items=[], next_max=None, prev_min=None)


async def test_items_are_rows_of_what_the_query_selects(runtime: Runtime, author: int) -> None:
    async with runtime.db.read() as session:
        entities = await paginate(
            session,
            select(Status).where(Status.account_id == author),
            key=Status.id,
            page=Window(limit=2),
        )
        pairs = await paginate(
            session,
            select(Status.id, Status.account_id).where(Status.account_id == author),
            key=Status.id,
            page=Window(min_id=FIRST, limit=2),
        )
    assert [status.id for status in entities.items] == [1045, 1044]
    assert pairs.items == [(1003, author), (1002, author)]
    # Rendering or filtering the items keeps the cursors of the rows read.
    assert entities.with_items([]) == Page(items=[], next_max=1044, prev_min=1045)


def test_window_refills_and_trims_in_its_direction() -> None:
    down, up = Window(max_id=50, limit=2), Window(min_id=10, limit=2)
    assert down.past(newest=40, oldest=30) == Window(max_id=30, limit=2)
    assert up.past(newest=14, oldest=12) == Window(min_id=14, limit=2)
    assert down.trim([5, 4, 3]) == [5, 4]
    assert up.trim([5, 4, 3]) == [4, 3]
    assert (down.below, down.above, up.below, up.above) == (50, None, None, 10)


def request(query: str) -> Request:
    scope = {"type": "http", "path": "/api/v1/x", "query_string": query.encode(), "headers": []}
    return Request(scope)


async def test_the_link_header_comes_from_the_page(runtime: Runtime, author: int) -> None:
    page = await read(runtime, author, max_id=1005, limit=2)
    link = link_header(
        request("limit=2&max_id=1005&tag=x"),
        base_url=runtime.settings.base_url,
        next_max=page.next_max,
        prev_min=page.prev_min,
    )
    assert link is not None
    following, preceding = link.split(", ")
    assert following.endswith('; rel="next"') and "max_id=1003" in following
    assert preceding.endswith('; rel="prev"') and "min_id=1004" in preceding
    assert "limit=2" in following and "tag=x" in preceding and "max_id=1005" not in link
    empty = await read(runtime, author, max_id=FIRST)
    assert (
        link_header(
            request(""),
            base_url=runtime.settings.base_url,
            next_max=empty.next_max,
            prev_min=empty.prev_min,
        )
        is None
    )
