"""Kept home pages rendered again when their timeline moves, before their reader asks.

A kept page (page_cache.py) is answered in well under a millisecond; a page whose
timeline moved is rendered on its next read (a few ms of SQL, Redis and Python on the
event loop that also answers the kept reads). In a steady mix of reads and posts
those renders are the slowest reads, so the worker renders them instead, as soon as
the fan-out has delivered: it notes the owners it delivered to that have kept pages
(the delivery script answers which), and ``refresh_changed_pages`` renders each of
their pages read in the last ``RECENT_READ_SECONDS`` by the same code as the route
(``service.render_home``), with the same versions, and puts it in place of the old
one. The reader's next read is then a kept page. Renders wait while the worker runs a
job: a burst of fan-outs is delivered first, and its pages rendered after.

Nothing depends on it: a page rendered again is checked on read like any kept page,
so a refresh that comes late, fails or is dropped costs its reader a render, as
before. Other changes to a page (counts, deletions, a big account's post, merged when
read) are not rendered ahead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.requests import Request

from roost.core.breaker import REDIS_FAILED
from roost.core.db_outages import database_down
from roost.core.errors import RoostError
from roost.core.http import JSON, page_params
from roost.deps import allowed, load_viewer_by_digest
from roost.timelines import service
from roost.timelines.page_cache import HOME_PATH, HomeWatch, KeptPage, PageCache

if TYPE_CHECKING:
    from roost.runtime import Runtime

log = logging.getLogger(__name__)


async def refresh_changed_pages(runtime: Runtime, pages: PageCache) -> None:
    """Render again the kept pages of the owners the fan-out notes, until cancelled."""
    pages.collect_changes()
    while True:
        await refresh_pages(runtime, pages, await pages.changed())


async def refresh_pages(runtime: Runtime, pages: PageCache, owner_ids: list[int]) -> None:
    for owner in owner_ids:
        await runtime.jobs.idle()  # jobs first: a render ahead never delays a delivery
        try:
            for page in await pages.kept_for(owner):
                await _render_again(runtime, pages, page)
        except REDIS_FAILED:
            return  # their readers render, as without refreshes
        except Exception as error:
            if database_down(error):
                return  # as above; the database's outage is reported where it answers
            log.exception("kept home pages of %d not rendered again", owner)


async def _render_again(runtime: Runtime, pages: PageCache, page: KeptPage) -> None:
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "path": HOME_PATH,
            "query_string": page.query.encode("latin-1"),
            "headers": [],
        }
    )

    async def render(watch: HomeWatch | None) -> JSON:
        viewer = allowed(await load_viewer_by_digest(runtime.db, page.digest), "read:statuses")
        paging = await page_params(request)
        return await service.render_home(runtime, request, viewer.person, paging, watch)

    try:
        await pages.render_again(page, render)
    except RoostError:  # the token was revoked, its person suspended, ...
        await pages.drop(page)
