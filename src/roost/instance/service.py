"""What this server is: the Instance entities (v1 and v2) and NodeInfo.

The counts behind them are cached per database for a minute: every client asks
for the instance when it starts, and counting statuses is a table scan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost import __version__
from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.core.settings import Settings
from roost.statuses.models import Status

TITLE = "Roost"
SHORT_DESCRIPTION = "A small microblogging server that speaks the Mastodon client API."
MAX_CHARACTERS = 500
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
    users = await session.scalar(
        select(func.count()).select_from(Account).where(Account.approved.is_(True))
    )
    statuses = await session.scalar(
        select(func.count()).select_from(Status).where(Status.reblog_of_id.is_(None))
    )
    active = await session.scalar(
        select(func.count())
        .select_from(Account)
        .where(Account.approved.is_(True), Account.last_status_at >= utcnow() - timedelta(days=30))
    )
    result = Stats(users=users or 0, statuses=statuses or 0, active_month=active or 0)
    _stats_cache[cache_key] = (time.monotonic(), result)
    return result


def streaming_url(settings: Settings) -> str:
    return f"{'wss' if settings.scheme == 'https' else 'ws'}://{settings.domain}"


def _configuration(settings: Settings) -> dict[str, Any]:
    return {
        "accounts": {
            "max_featured_tags": 0,
            "max_pinned_statuses": settings.max_pinned_statuses,
        },
        "statuses": {
            "max_characters": MAX_CHARACTERS,
            "max_media_attachments": 0,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": [],
            "image_size_limit": 0,
            "image_matrix_limit": 0,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
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
        "rules": [],
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
        "api_versions": {"mastodon": 2},
        "contact": {"email": "", "account": None},
        "rules": [],
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


def preferences() -> dict[str, Any]:
    return {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }
