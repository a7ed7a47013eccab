"""A database of its own for one benchmark run: create, migrate, bulk-load, drop.

Rows go in with PostgreSQL's COPY (asyncpg ``copy_records_to_table``), not through
the services: 100,000 accounts and half a million follows load in seconds.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench.graph import TAGS, Population, Snowflakes, token_for
from roost.core.security import hash_password
from roost.core.settings import get_settings
from roost.statuses.formatting import extract, to_html

SCOPES = "read write follow push"
PASSWORD = "bench password, never used to sign in"


def asyncpg_url(postgres: str, database: str) -> str:
    return postgres.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"


async def create_database(postgres: str, database: str) -> None:
    conn = await asyncpg.connect(f"{postgres}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def drop_database(postgres: str, database: str) -> None:
    conn = await asyncpg.connect(f"{postgres}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate(database_url: str, data_dir: Path) -> None:
    """``roost migrate``, as an operator would run it. Awaited, not waited on: Ctrl-C
    cancels the run at once, and the migration with it."""
    env = {**os.environ, "ROOST_DATABASE_URL": database_url, "ROOST_DATA_DIR": str(data_dir)}
    argv = [sys.executable, "-m", "roost.cli", "migrate"]
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        output, _ = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, argv, output)


def _ts(unix_ms: int) -> datetime:
    return datetime.fromtimestamp(unix_ms / 1000, UTC)


async def _copy(
    conn: asyncpg.Connection, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    records = list(rows)
    if records:
        await conn.copy_records_to_table(table, records=records, columns=list(columns))
    return len(records)


async def load(postgres: str, database: str, pop: Population) -> dict[str, int]:
    """Copy the population in; returns the number of rows per table."""
    conn = await asyncpg.connect(f"{postgres}/{database}")
    try:
        async with conn.transaction():
            return await _load(conn, pop)
    finally:
        await conn.close()


async def _load(conn: asyncpg.Connection, pop: Population) -> dict[str, int]:
    ids = Snowflakes()
    created = _ts(pop.created_ms)
    counts: dict[str, int] = {}

    followers = collections.Counter(target for _, target in pop.follows)
    following = collections.Counter(source for source, _ in pop.follows)
    statuses_count: collections.Counter[int] = collections.Counter()
    last_status: dict[int, int] = {}
    for status in pop.statuses:
        if status.visibility != "direct":
            statuses_count[status.account_id] += 1
        last_status[status.account_id] = max(
            last_status.get(status.account_id, 0), status.created_ms
        )

    password_hash = hash_password(PASSWORD)
    big = set(pop.big)

    def account(account_id: int) -> tuple[Any, ...]:
        name = pop.username(account_id)
        display = f"Big {name}" if account_id in big else f"Person {name}"
        last = last_status.get(account_id)
        return (
            account_id,
            name,
            name,
            f"{name}@bench.example",
            password_hash,
            display[:30],
            "",
            "",
            False,
            False,
            True,
            True,
            created,
            created,  # confirmed_at: COPY skips the column's default (confirmed at once)
            _ts(last) if last else None,
            followers[account_id],
            following[account_id],
            statuses_count[account_id],
        )

    counts["accounts"] = await _copy(
        conn,
        "accounts",
        (
            "id",
            "username",
            "username_lower",
            "email",
            "password_hash",
            "display_name",
            "note",
            "note_html",
            "locked",
            "bot",
            "discoverable",
            "approved",
            "created_at",
            "confirmed_at",
            "last_status_at",
            "followers_count",
            "following_count",
            "statuses_count",
        ),
        (account(a) for a in pop.accounts),
    )

    app_id = ids.at(pop.created_ms)
    digest = hashlib.sha256(b"bench").hexdigest()
    counts["oauth_apps"] = await _copy(
        conn,
        "oauth_apps",
        (
            "id",
            "name",
            "website",
            "redirect_uris",
            "scopes",
            "client_id",
            "client_secret_hash",
            "created_at",
        ),
        [
            (
                app_id,
                "Roost bench",
                None,
                "urn:ietf:wg:oauth:2.0:oob",
                SCOPES,
                digest,
                digest,
                created,
            )
        ],
    )
    counts["oauth_access_tokens"] = await _copy(
        conn,
        "oauth_access_tokens",
        ("id", "token_hash", "app_id", "account_id", "scopes", "created_at", "revoked_at"),
        (
            (
                ids.at(pop.created_ms),
                hashlib.sha256(token_for(a).encode()).hexdigest(),
                app_id,
                a,
                SCOPES,
                created,
                None,
            )
            for a in pop.token_holders
        ),
    )
    counts["follows"] = await _copy(
        conn,
        "follows",
        ("id", "account_id", "target_account_id", "show_reblogs", "notify", "created_at"),
        (
            (ids.at(pop.created_ms), source, target, True, False, created)
            for source, target in pop.follows
        ),
    )
    contents: dict[int, str] = {}
    tagged: list[tuple[int, str]] = []
    settings = get_settings()  # the environment's, as the served app reads them
    for s in pop.statuses:
        if "#" in s.text:  # rendered as the service would, with the hashtag linked
            contents[s.id] = to_html(s.text, {}, base_url=settings.base_url, domain=settings.domain)
            tagged += [(s.id, name) for name in extract(s.text, domain=settings.domain).tags]
        else:
            contents[s.id] = f"<p>{s.text}</p>" if s.text else ""
    counts["statuses"] = await _copy(
        conn,
        "statuses",
        (
            "id",
            "account_id",
            "text",
            "content",
            "spoiler_text",
            "sensitive",
            "visibility",
            "language",
            "in_reply_to_id",
            "in_reply_to_account_id",
            "reblog_of_id",
            "application_id",
            "created_at",
            "replies_count",
            "reblogs_count",
            "favourites_count",
        ),
        (
            (
                s.id,
                s.account_id,
                s.text,
                contents[s.id],
                "",
                False,
                s.visibility,
                "en",
                s.in_reply_to_id,
                s.in_reply_to_account_id,
                s.reblog_of_id,
                app_id,
                _ts(s.created_ms),
                s.replies_count,
                s.reblogs_count,
                0,
            )
            for s in pop.statuses
        ),
    )
    tag_ids = {name: ids.at(pop.created_ms) for name in TAGS}
    counts["tags"] = await _copy(
        conn,
        "tags",
        ("id", "name", "display_name", "created_at"),
        ((tag_id, name, name, created) for name, tag_id in tag_ids.items()),
    )
    counts["status_tags"] = await _copy(
        conn,
        "status_tags",
        ("status_id", "tag_id"),
        ((status_id, tag_ids[name.lower()]) for status_id, name in tagged),
    )
    return counts


async def analyze(postgres: str, database: str) -> None:
    conn = await asyncpg.connect(f"{postgres}/{database}")
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def seed(postgres: str, database: str, data_dir: Path, pop: Population) -> dict[str, Any]:
    """Create, migrate and fill the database; returns row counts and timings."""
    started = time.monotonic()
    await create_database(postgres, database)
    await migrate(asyncpg_url(postgres, database), data_dir)
    migrated = time.monotonic()
    counts = await load(postgres, database, pop)
    await analyze(postgres, database)
    done = time.monotonic()
    return {
        "rows": counts,
        "migrate_s": migrated - started,
        "load_s": done - migrated,
    }
