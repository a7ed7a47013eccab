"""The feed promise through Mastodon.py: while many people post at once, a reader who
keeps pulling newer posts (the ``prev`` link, ``min_id``) sees every post exactly once,
and scrolling back afterwards (the ``next`` link, ``max_id``) shows the same feed."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.clients.helpers import Person, SignUp, flat, ids, pages_forward

AUTHORS = 4
POSTS_EACH = 15


def post_many(author: Person, count: int) -> list[str]:
    return [author.api.status_post(f"{author.username} says {n}").id for n in range(count)]


def test_concurrent_authors_reader_sees_each_post_once(sign_up: SignUp) -> None:
    reader = sign_up("reader")
    authors = [sign_up(f"writer{n}x") for n in range(AUTHORS)]
    for author in authors:
        reader.api.account_follow(author.id)
    seed = reader.api.status_post("Reading along").id
    top: Any = reader.api.timeline_home()
    assert ids(top) == [seed]  # read-your-writes gives the reader a first page to poll from

    discovered: list[str] = []  # oldest first, in the order the feed revealed them

    def pull_newer() -> None:
        nonlocal top
        while page := reader.api.fetch_previous(top):
            discovered.extend(reversed(ids(page)))
            top = page

    with ThreadPoolExecutor(max_workers=AUTHORS) as pool:
        jobs = [pool.submit(post_many, author, POSTS_EACH) for author in authors]
        while not all(job.done() for job in jobs):
            pull_newer()
            time.sleep(0.05)
        posted = {status_id for job in jobs for status_id in job.result()}
    assert len(posted) == AUTHORS * POSTS_EACH

    deadline = time.monotonic() + 10  # fan-out may still be delivering: keep refreshing
    while len(discovered) < len(posted) and time.monotonic() < deadline:
        pull_newer()
        time.sleep(0.1)
    pull_newer()

    assert len(discovered) == len(set(discovered)), "a post was shown twice"
    assert set(discovered) == posted, f"missed {len(posted - set(discovered))} posts"

    # Scrolling down from the top now shows the same feed, in the same order.
    everything = flat(pages_forward(reader.api, reader.api.timeline_home(limit=40)))
    assert everything == discovered[::-1] + [seed]
