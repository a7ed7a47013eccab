"""The Mastodon Status entity, rendered for a whole page in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.accounts.render import render_account
from roost.core.http import iso
from roost.core.settings import get_settings
from roost.oauth.models import OAuthApp
from roost.statuses.models import Favourite, Mention, Status, StatusTag, Tag


async def load_statuses(session: AsyncSession, ids: Iterable[int]) -> dict[int, Status]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.scalars(select(Status).where(Status.id.in_(wanted)))
    return {status.id: status for status in rows.all()}


async def load_originals(session: AsyncSession, statuses: Iterable[Status]) -> dict[int, Status]:
    """The posts that boosts among ``statuses`` point at, by id."""
    return await load_statuses(
        session, (s.reblog_of_id for s in statuses if s.reblog_of_id is not None)
    )


def status_url(account: Account, status_id: int) -> str:
    return f"{get_settings().base_url}/@{account.username}/{status_id}"


async def render_statuses(
    session: AsyncSession,
    statuses: Sequence[Status],
    viewer_id: int | None,
    originals: dict[int, Status] | None = None,
) -> list[dict[str, Any]]:
    """Render statuses the viewer may see (filter with ``visibility`` first)."""
    if not statuses:
        return []
    if originals is None:
        originals = await load_originals(session, statuses)
    every = {s.id: s for s in statuses} | originals
    ids = list(every)

    accounts = {
        a.id: a
        for a in (
            await session.scalars(
                select(Account).where(Account.id.in_({s.account_id for s in every.values()}))
            )
        ).all()
    }
    mentions: dict[int, list[Account]] = defaultdict(list)
    for status_id, account in await session.execute(
        select(Mention.status_id, Account)
        .join(Account, Account.id == Mention.account_id)
        .where(Mention.status_id.in_(ids))
    ):
        mentions[status_id].append(account)
    tags: dict[int, list[Tag]] = defaultdict(list)
    for status_id, tag in await session.execute(
        select(StatusTag.status_id, Tag)
        .join(Tag, Tag.id == StatusTag.tag_id)
        .where(StatusTag.status_id.in_(ids))
    ):
        tags[status_id].append(tag)
    app_ids = {s.application_id for s in every.values() if s.application_id is not None}
    apps = (
        {
            a.id: a
            for a in (await session.scalars(select(OAuthApp).where(OAuthApp.id.in_(app_ids)))).all()
        }
        if app_ids
        else {}
    )
    favourited: set[int] = set()
    reblogged: set[int] = set()
    if viewer_id is not None:
        favourited = set(
            (
                await session.scalars(
                    select(Favourite.status_id).where(
                        Favourite.account_id == viewer_id, Favourite.status_id.in_(ids)
                    )
                )
            ).all()
        )
        reblogged = {
            rid
            for rid in (
                await session.scalars(
                    select(Status.reblog_of_id).where(
                        Status.account_id == viewer_id, Status.reblog_of_id.in_(ids)
                    )
                )
            ).all()
            if rid is not None
        }

    base = get_settings().base_url

    def one(status: Status) -> dict[str, Any]:
        author = accounts[status.account_id]
        app = apps.get(status.application_id) if status.application_id else None
        reblog = originals.get(status.reblog_of_id) if status.reblog_of_id else None
        return {
            "id": str(status.id),
            "uri": f"{base}/users/{author.username}/statuses/{status.id}",
            "url": status_url(author, status.id),
            "created_at": iso(status.created_at),
            "edited_at": None,
            "account": render_account(author),
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
            "reblog": one(reblog) if reblog is not None else None,
            "application": (
                {"name": app.name, "website": app.website} if app is not None else None
            ),
            "media_attachments": [],
            "mentions": [
                {
                    "id": str(m.id),
                    "username": m.username,
                    "acct": m.username,
                    "url": f"{base}/@{m.username}",
                }
                for m in mentions.get(status.id, [])
            ],
            "tags": [
                {"name": t.display_name, "url": f"{base}/tags/{t.name}"}
                for t in tags.get(status.id, [])
            ],
            "emojis": [],
            "replies_count": status.replies_count,
            "reblogs_count": status.reblogs_count,
            "favourites_count": status.favourites_count,
            "favourited": status.id in favourited,
            "reblogged": status.id in reblogged,
            "muted": False,
            "bookmarked": False,
            "pinned": False,
            "poll": None,
            "card": None,
            "filtered": [],
        }

    return [one(status) for status in statuses]
