"""Settings: read from ROOST_* variables, the database URL resolved, and no default
secret outside development."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from roost.core import settings as settings_module
from roost.core.db import Database
from roost.core.settings import Settings, get_settings, use_settings


def test_a_missing_secret_is_refused_when_serving_a_public_domain(tmp_path: Path) -> None:
    public = Settings(data_dir=tmp_path, domain="social.example", secret_key="")
    assert public.scheme == "https"
    with pytest.raises(RuntimeError, match="ROOST_SECRET_KEY"):
        public.resolved_secret_key()
    assert not (tmp_path / "secret_key").exists()  # nothing generated to fall back on


def test_a_configured_secret_is_used_as_given(tmp_path: Path) -> None:
    public = Settings(data_dir=tmp_path, domain="social.example", secret_key="s3cret")
    assert public.resolved_secret_key() == "s3cret"


def test_in_development_a_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    local = Settings(data_dir=data, domain="localhost:8000", secret_key="")
    secret = local.resolved_secret_key()
    assert len(secret) >= 64
    # Kept: a restart (new settings on the same folder) signs with the same secret.
    assert Settings(data_dir=data, domain="127.0.0.1:9000").resolved_secret_key() == secret
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600


def test_without_a_database_url_the_database_is_sqlite_in_the_data_folder(
    tmp_path: Path,
) -> None:
    local = Settings(data_dir=tmp_path / "data", database_url="")
    expected = (tmp_path / "data" / "roost.sqlite3").resolve()
    assert local.resolved_database_url == f"sqlite+aiosqlite:///{expected}"
    assert local.is_sqlite


def test_a_database_url_is_used_as_given() -> None:
    url = "postgresql+asyncpg://roost@db.internal:5432/roost"
    configured = Settings(database_url=url)
    assert configured.resolved_database_url == url
    assert not configured.is_sqlite


def test_replica_urls_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    first = "postgresql+asyncpg://roost@replica-a/roost"
    second = "postgresql+asyncpg://roost@/roost?host=b1:5432&host=b2:5432"
    monkeypatch.setenv("ROOST_DATABASE_REPLICA_URLS", f"{first}, {second},")
    assert Settings().replica_urls == [first, second]
    assert Settings(database_replica_urls="").replica_urls == []


def test_replicas_of_the_embedded_database_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        Database(Settings(data_dir=tmp_path).resolved_database_url, replica_urls=["x"])


def test_settings_come_from_roost_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOST_DOMAIN", "social.example")
    monkeypatch.setenv("ROOST_RATE_LIMITS", "off")
    monkeypatch.setenv("ROOST_ACCESS_LOG", "on")
    monkeypatch.setenv("ROOST_TIMELINE_CAP", "50")
    monkeypatch.setenv("ROOST_REGISTRATIONS", "approval")
    read = Settings()
    assert read.base_url == "https://social.example"
    assert read.rate_limits is False and read.access_log is True
    assert read.timeline_cap == 50 and read.registrations == "approval"


def test_an_unknown_registrations_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOST_REGISTRATIONS", "sometimes")
    with pytest.raises(ValueError):
        Settings()


def test_get_settings_answers_the_settings_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings_module, "_current", None)
    chosen = Settings(domain="chosen.example")
    use_settings(chosen)
    assert get_settings() is chosen
