"""Apply Alembic migrations to the configured database (``roost migrate``).

``roost serve``, ``announce`` and ``admin`` migrate first, and nearly always find the
database at the newest revision already. That is told apart without Alembic: the
newest revision is read from the migration files' text and the database's from its
``alembic_version`` table, which saves each start importing Alembic, loading every
migration and asking the database through Alembic's machinery (~65 ms of CPU, measured,
in every ``roost`` process a test run starts). Anything else, or any doubt, goes to
Alembic's ``upgrade`` as before.
"""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from roost.core.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# A migration's ids, as script.py.mako writes them: ``revision: str = "0002"`` and
# ``down_revision: str | None = "0001"`` (None for the first, a tuple for a merge).
REVISION = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+)$", re.MULTILINE)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(settings: Settings, revision: str = "head") -> None:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if revision == "head" and (newest := heads()) and applied(url) == newest:
        return
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def heads() -> set[str] | None:
    """The newest revisions (those no migration names as its down_revision), read from
    the files without importing them; None when a file does not read as expected (a
    revision missed would make an older one look newest)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = {m.group(1): m.group(2) for m in REVISION.finditer(text)}
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found["down_revision"])
        except (KeyError, ValueError, SyntaxError):
            return None
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple):
            parents.update(down)
        elif down is not None:
            return None
    return revisions - parents or None


def applied(url: str) -> set[str] | None:
    """The revisions the database is at (its ``alembic_version`` rows); None when they
    cannot be read (no such table yet, no database, no server): Alembic then does what
    it always did, and reports any error its own way."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    async def read() -> set[str]:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
                return {str(row[0]) for row in rows}
        finally:
            await engine.dispose()

    try:
        return asyncio.run(read())
    except Exception:  # any doubt is for Alembic to settle
        return None
