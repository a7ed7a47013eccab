"""Exporting one's data: posts as JSON, and the CSV files Mastodon exports (and
imports: lifecycle/imports.py), column for column.

- ``statuses.json``: a JSON array of Mastodon Status entities, every status of the
  account (boosts and direct posts included), newest first, rendered for the account
  itself. (Not an ActivityPub outbox: Roost does not federate, and the entity is the
  shape every Mastodon client already reads.)
- ``following_accounts.csv``: ``Account address,Show boosts,Notify on new posts,Languages``.
- ``blocked_accounts.csv``: one address per line, no header (as Mastodon writes it).
- ``muted_accounts.csv``: ``Account address,Hide notifications``.
- ``bookmarks.csv``: one post URI per line, no header.

An account address is ``username@<ROOST_DOMAIN>``, as Mastodon writes local accounts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.follows import lists
from roost.statuses.models import Bookmark, Status
from roost.statuses.render import render_statuses

if TYPE_CHECKING:
    from roost.runtime import Runtime

STATUS_BATCH = 200
FOLLOWING_HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]
MUTES_HEADER = ["Account address", "Hide notifications"]
# What each download is called, and its media type.
FILES = {
    "statuses": ("statuses.json", "application/json"),
    "following": ("following_accounts.csv", "text/csv; charset=utf-8"),
    "blocks": ("blocked_accounts.csv", "text/csv; charset=utf-8"),
    "mutes": ("muted_accounts.csv", "text/csv; charset=utf-8"),
    "bookmarks": ("bookmarks.csv", "text/csv; charset=utf-8"),
}


def address(username: str, domain: str) -> str:
    return f"{username}@{domain}"


def _csv(rows: Iterable[Sequence[str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _flag(value: bool) -> str:
    return "true" if value else "false"


async def following_csv(*, session: AsyncSession, runtime: Runtime, account_id: int) -> str:
    domain = runtime.settings.domain
    rows = await lists.following_for_export(session, account_id)
    return _csv(
        (
            [address(name, domain), _flag(boosts), _flag(notify), ""]
            for name, boosts, notify in rows
        ),
        FOLLOWING_HEADER,
    )


async def blocks_csv(*, session: AsyncSession, runtime: Runtime, account_id: int) -> str:
    domain = runtime.settings.domain
    names = await lists.blocks_for_export(session, account_id)
    return _csv([address(name, domain)] for name in names)


async def mutes_csv(*, session: AsyncSession, runtime: Runtime, account_id: int) -> str:
    domain = runtime.settings.domain
    rows = await lists.mutes_for_export(session, account_id)
    return _csv(([address(name, domain), _flag(hide)] for name, hide in rows), MUTES_HEADER)


async def bookmarks_csv(*, session: AsyncSession, runtime: Runtime, account_id: int) -> str:
    """The URI of each bookmarked post, newest bookmark first (as the Status entity's
    ``uri``)."""
    base = runtime.settings.base_url
    rows = await session.execute(
        select(Account.username, Status.id)
        .join(Status, Status.account_id == Account.id)
        .join(Bookmark, Bookmark.status_id == Status.id)
        .where(Bookmark.account_id == account_id)
        .order_by(Bookmark.id.desc())
    )
    return _csv([f"{base}/users/{name}/statuses/{status_id}"] for name, status_id in rows.all())


async def statuses_json(*, runtime: Runtime, account_id: int) -> AsyncIterator[bytes]:
    """The JSON array, a batch of statuses at a time, each batch read in a session of
    its own: a long history streams out without being held in memory whole."""
    yield b"["
    first = True
    before: int | None = None
    while True:
        async with runtime.db.read() as session:
            query = select(Status).where(Status.account_id == account_id)
            if before is not None:
                query = query.where(Status.id < before)
            batch = list(
                await session.scalars(query.order_by(Status.id.desc()).limit(STATUS_BATCH))
            )
            if not batch:
                break
            rendered = await render_statuses(session, batch, account_id, runtime=runtime)
        for item in rendered:
            yield (b"" if first else b",") + orjson.dumps(item)
            first = False
        before = batch[-1].id
    yield b"]"
