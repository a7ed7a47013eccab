"""`roost serve` migrates first, on the run's backend (SQLite or PostgreSQL): an empty
database or one behind the newest migration is upgraded through Alembic, and one at
the newest is left alone without it (src/roost/migrate.py reads the newest revision
from the migration files' text: it must be the one Alembic finds)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from roost import cli
from roost.core import settings as roost_settings
from roost.core.settings import Settings
from roost.migrate import alembic_config, applied, heads, migrate
from tests.conftest import BACKEND, Server, asyncpg_url

SCRIPTS = ScriptDirectory.from_config(alembic_config("sqlite://"))
HEAD = SCRIPTS.get_current_head()
assert HEAD is not None
BEHIND = SCRIPTS.get_revision(HEAD).down_revision
assert isinstance(BEHIND, str)


def test_the_newest_revision_read_from_the_files_is_alembics() -> None:
    assert heads() == set(SCRIPTS.get_heads()) == {HEAD}


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """An empty database of the run's backend, the settings of a ``roost serve`` on it."""
    if BACKEND != "postgresql":
        yield Settings(data_dir=tmp_path, database_url="", secret_key="x")
        return
    server: Server = request.getfixturevalue("pg_server")
    name = f"roost_test_{os.getpid()}_migrate"
    server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    server.execute(f"CREATE DATABASE {name}")
    yield Settings(data_dir=tmp_path, database_url=asyncpg_url(name), secret_key="x")
    server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def serve(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> list[str]:
    """``roost serve`` on ``settings`` up to where uvicorn would start; the revisions
    Alembic's upgrade was asked for (it still runs)."""
    import uvicorn

    upgrade = command.upgrade
    upgrades: list[str] = []

    def spy(config: Any, revision: str, **options: Any) -> None:
        upgrades.append(revision)
        upgrade(config, revision, **options)

    monkeypatch.setattr(command, "upgrade", spy)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    monkeypatch.setattr(roost_settings, "_current", settings)
    monkeypatch.setenv("ROOST_DOMAIN", "127.0.0.1:8000")
    assert cli.main(["serve"]) == 0
    return upgrades


@pytest.mark.parametrize("start", [None, BEHIND], ids=["empty", "behind"])
def test_serve_upgrades_a_database_behind_the_newest_migration(
    monkeypatch: pytest.MonkeyPatch, database: Settings, start: str | None
) -> None:
    if start is not None:
        migrate(database, start)
        assert applied(database.resolved_database_url) == {start}
    assert serve(monkeypatch, database) == ["head"]
    assert applied(database.resolved_database_url) == {HEAD}


def test_serve_leaves_a_database_at_the_newest_migration_alone(
    monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    template_db: str = request.getfixturevalue("template_db")  # migrated to the newest
    if BACKEND == "postgresql":
        server: Server = request.getfixturevalue("pg_server")
        name = f"roost_test_{os.getpid()}_at_head"
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {name} TEMPLATE {template_db}")
        request.addfinalizer(lambda: server.execute(f"DROP DATABASE {name} WITH (FORCE)"))
        settings = Settings(data_dir=tmp_path, database_url=asyncpg_url(name), secret_key="x")
    else:
        shutil.copy(template_db, tmp_path / "roost.sqlite3")
        settings = Settings(data_dir=tmp_path, database_url="", secret_key="x")
    assert applied(settings.resolved_database_url) == {HEAD}
    assert serve(monkeypatch, settings) == []
