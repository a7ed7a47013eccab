"""What this server is: the Instance entities (v1 and v2) and NodeInfo.

The counts behind them are cached per database for a minute: every client asks
for the instance when it starts, and counting statuses is a table scan.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost import __version__
from roost.accounts.models import Account
from roost.accounts.standing import seen_by_others, suspended_ids
from roost.core.db import as_utc, utcnow
from roost.core.ids import lowest_id_at
from roost.core.settings import Settings
from roost.featured_tags.service import MAX_FEATURED_TAGS
from roost.instance.rules import server_rules
from roost.media.limits import MAX_ATTACHMENTS
from roost.media.limits import configuration as media_configuration
from roost.statuses.formatting import URL_LENGTH
from roost.statuses.models import Status
from roost.statuses.service import MAX_CHARACTERS

TITLE = "Roost"
SHORT_DESCRIPTION = "A small microblogging server that speaks the Mastodon client API."
STATS_TTL_SECONDS = 60.0
# Mastodon.py reads the part before the first space as three dotted numbers.
VERSION = f"4.3.0 (compatible; Roost {__version__})"


@dataclass(frozen=True)
class Stats:
    users: int
    statuses: int
    active_month: int


_stats_cache: dict[str, tuple[float, Stats]] = {}


async def stats(session: AsyncSession, *, cache_key: str) -> Stats:
    cached = _stats_cache.get(cache_key)
    if cached is not None and time.monotonic() - cached[0] < STATS_TTL_SECONDS:
        return cached[1]
    users = await session.scalar(select(func.count()).select_from(Account).where(seen_by_others()))
    statuses = await session.scalar(
        select(func.count())
        .select_from(Status)
        .where(Status.reblog_of_id.is_(None), Status.account_id.not_in(suspended_ids()))
    )
    active = await session.scalar(
        select(func.count())
        .select_from(Account)
        .where(seen_by_others(), Account.last_status_at >= utcnow() - timedelta(days=30))
    )
    result = Stats(users=users or 0, statuses=statuses or 0, active_month=active or 0)
    _stats_cache[cache_key] = (time.monotonic(), result)
    return result


def streaming_url(settings: Settings) -> str:
    return f"{'wss' if settings.scheme == 'https' else 'ws'}://{settings.domain}"


def _configuration(settings: Settings) -> dict[str, Any]:
    """The limits clients read before they let someone write: each the value the code
    that enforces it uses."""
    return {
        "accounts": {
            "max_featured_tags": MAX_FEATURED_TAGS,
            "max_pinned_statuses": settings.max_pinned_statuses,
        },
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": MAX_ATTACHMENTS,
            "characters_reserved_per_url": URL_LENGTH,
        },
        "media_attachments": media_configuration(settings),
        "polls": {
            "max_options": settings.poll_max_options,
            "max_characters_per_option": settings.poll_max_characters_per_option,
            "min_expiration": settings.poll_min_expiration,
            "max_expiration": settings.poll_max_expiration,
        },
    }


async def instance_v1(*, session: AsyncSession, settings: Settings) -> dict[str, Any]:
    counts = await stats(session, cache_key=settings.resolved_database_url)
    return {
        "uri": settings.domain,
        "title": TITLE,
        "short_description": SHORT_DESCRIPTION,
        "description": SHORT_DESCRIPTION,
        "email": "",
        "version": VERSION,
        "urls": {"streaming_api": streaming_url(settings)},
        "stats": {"user_count": counts.users, "status_count": counts.statuses, "domain_count": 1},
        "thumbnail": None,
        "languages": ["en"],
        "registrations": settings.registrations != "closed",
        "approval_required": settings.registrations == "approval",
        "invites_enabled": False,
        "configuration": _configuration(settings),
        "contact_account": None,
        "rules": [rule.render() for rule in server_rules(settings)],
    }


async def instance_v2(*, session: AsyncSession, settings: Settings) -> dict[str, Any]:
    counts = await stats(session, cache_key=settings.resolved_database_url)
    return {
        "domain": settings.domain,
        "title": TITLE,
        "version": VERSION,
        "source_url": "",
        "description": SHORT_DESCRIPTION,
        "usage": {"users": {"active_month": counts.active_month}},
        "thumbnail": {"url": f"{settings.base_url}/headers/default.svg"},
        "languages": ["en"],
        "configuration": {
            "urls": {"streaming": streaming_url(settings)},
            **_configuration(settings),
            "translation": {"enabled": False},
        },
        "registrations": {
            "enabled": settings.registrations != "closed",
            "approval_required": settings.registrations == "approval",
            "message": None,
        },
        # The level of Mastodon 4.3, which VERSION claims; 3 and later add what Roost lacks.
        "api_versions": {"mastodon": 2},
        "contact": {"email": "", "account": None},
        "rules": [rule.render() for rule in server_rules(settings)],
    }


async def nodeinfo(*, session: AsyncSession, settings: Settings) -> dict[str, Any]:
    counts = await stats(session, cache_key=settings.resolved_database_url)
    return {
        "version": "2.0",
        "software": {"name": "roost", "version": __version__},
        "protocols": [],
        "services": {"inbound": [], "outbound": []},
        "usage": {
            "users": {"total": counts.users, "activeMonth": counts.active_month},
            "localPosts": counts.statuses,
        },
        "openRegistrations": settings.registrations != "closed",
        "metadata": {},
    }


ACTIVITY_WEEKS = 12


async def weekly_activity(*, session: AsyncSession) -> list[dict[str, str]]:
    """Mastodon's instance activity: for each of the last twelve weeks (from Monday,
    this week first) the posts written and the people who registered. Roost keeps no
    log of sign-ins, so ``logins`` counts the people who posted that week (the accounts
    known active), which is the nearest thing it knows. Two queries over the window."""
    now = utcnow()
    monday = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=now.weekday())
    weeks = [monday - timedelta(weeks=back) for back in range(ACTIVITY_WEEKS)]
    floor = lowest_id_at(int(weeks[-1].timestamp() * 1000))
    posts = await session.execute(
        select(Status.account_id, Status.created_at).where(
            Status.id >= floor, Status.reblog_of_id.is_(None)
        )
    )
    joined = await session.scalars(
        select(Account.created_at).where(Account.created_at >= weeks[-1], Account.approved)
    )

    def week_of(moment: datetime) -> datetime:
        day = as_utc(moment)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return start - timedelta(days=start.weekday())

    statuses: Counter[datetime] = Counter()
    posters: dict[datetime, set[int]] = defaultdict(set)
    for account_id, created_at in posts.all():
        statuses[week_of(created_at)] += 1
        posters[week_of(created_at)].add(account_id)
    registrations = Counter(week_of(created_at) for created_at in joined.all())
    return [
        {
            "week": str(int(week.timestamp())),
            "statuses": str(statuses[week]),
            "logins": str(len(posters[week])),
            "registrations": str(registrations[week]),
        }
        for week in weeks
    ]
