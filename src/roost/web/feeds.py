"""Timelines on the page: the first page rendered on the server, then fragments.

The list remembers two cursors in data attributes: the newest (``prev_min`` of the
pages read so far) and the oldest (``next_max``). The page's script asks for
``<url>/newer?min_id=<newest>`` until nothing is left and queues what it gets
behind the "N new posts" button, and asks for ``<url>/older?max_id=<oldest>``
when the reader reaches the bottom. The cursors are the services' own, so the
union of what the page shows is exactly the timeline, each post once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from roost.accounts.models import Account
from roost.core.errors import BadRequest
from roost.core.http import JSON, PageParams, json_response
from roost.core.paging import Page
from roost.web.pages import render_fragment

PAGE_SIZE = 20


@dataclass(frozen=True)
class Feed:
    url: str  # the page, e.g. /home; fragments live at <url>/newer and <url>/older
    label: str  # what the list is, for screen readers
    poll: bool = True  # whether new posts are fetched while the page is open
    marker_url: str | None = None  # where showing new posts moves the read marker


def first_page(params: PageParams) -> PageParams:
    """The page a screen opens with; ``max_id`` pages back without JavaScript."""
    return PageParams(max_id=params.max_id, limit=PAGE_SIZE)


def timeline_context(feed: Feed, page: Page, *, paged_back: bool) -> dict[str, Any]:
    """What ``_timeline.html`` needs. An empty first page polls from the start (0),
    so that the first posts to arrive are all found, in order."""
    newest = page.prev_min if page.prev_min is not None else (None if paged_back else 0)
    return {
        "feed": feed,
        "statuses": page.items,
        "newest": "" if newest is None else str(newest),
        "oldest": "" if page.next_max is None else str(page.next_max),
    }


def newer_params(params: PageParams) -> PageParams:
    if params.min_id is None:
        raise BadRequest("Missing parameter: min_id")
    return PageParams(min_id=params.min_id, limit=PAGE_SIZE)


def older_params(params: PageParams) -> PageParams:
    if params.max_id is None:
        raise BadRequest("Missing parameter: max_id")
    return PageParams(max_id=params.max_id, limit=PAGE_SIZE)


def posts_html(
    statuses: list[dict[str, Any]], *, me: Account | None, csrf_token: str, here: str
) -> str:
    return render_fragment(
        "fragments/posts.html", statuses=statuses, me=me, csrf_token=csrf_token, here=here
    )


def newer_response(feed: Feed, page: Page, *, me: Account | None, csrf_token: str) -> JSON:
    return json_response(
        {
            "html": posts_html(page.items, me=me, csrf_token=csrf_token, here=feed.url),
            "count": len(page.items),
            "prev_min": None if page.prev_min is None else str(page.prev_min),
        }
    )


def older_response(feed: Feed, page: Page, *, me: Account | None, csrf_token: str) -> JSON:
    return json_response(
        {
            "html": posts_html(page.items, me=me, csrf_token=csrf_token, here=feed.url),
            "count": len(page.items),
            "next_max": None if page.next_max is None else str(page.next_max),
        }
    )
