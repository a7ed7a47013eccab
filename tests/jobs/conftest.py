"""Fixtures for job tests: a Redis key prefix of their own, a PostgreSQL database of
their own, and runtimes in either mode."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from roost.core.settings import Settings
from roost.migrate import migrate
from roost.runtime import Runtime
from tests.conftest import POSTGRES, asyncpg_url, psql
from tests.jobs.cluster import Cluster
from tests.redis_cluster import delete_keys

_numbers = itertools.count()


@pytest.fixture
def queue_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix for one test; every key under it is deleted afterwards."""
    prefix = f"roost-jobs-test:{os.getpid()}:{next(_numbers)}:"
    yield prefix
    delete_keys(redis_url, f"{prefix}*")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own, dropped afterwards."""
    name = f"roost_jobs_test_{os.getpid()}_{next(_numbers)}"
    try:
        psql(f"CREATE DATABASE {name}")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"these tests need PostgreSQL at {POSTGRES}: {exc}")
    try:
        url = asyncpg_url(name)
        migrate(Settings(database_url=url))
        yield url
    finally:
        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def local_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """An embedded runtime (jobs in-process), whatever mode the suite runs in."""
    runtime = Runtime(settings.model_copy(update={"redis_url": "", "serve_runs_jobs": False}))
    await runtime.start(sweep=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
def queue_settings(settings: Settings, redis_url: str, queue_prefix: str) -> Settings:
    """The test's database with the job queue on Redis; no process consumes yet."""
    return settings.model_copy(
        update={
            "redis_url": redis_url,
            "redis_prefix": queue_prefix,
            "serve_runs_jobs": False,
            "sweep_after_seconds": 1.0,
        }
    )


@pytest.fixture
def cluster_settings(
    tmp_path: Path, postgres_url: str, redis_url: str, queue_prefix: str
) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=postgres_url,
        redis_url=redis_url,
        redis_prefix=queue_prefix,
        domain="localhost",
        secret_key="test-secret",
        rate_limits=False,
        sweep_after_seconds=1.0,
    )


@pytest.fixture
async def observer(cluster_settings: Settings) -> AsyncIterator[Runtime]:
    """This test's own view of the database and Redis (it runs no jobs, sweeps nothing)."""
    runtime = Runtime(cluster_settings)
    await runtime.start(sweep=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
def cluster(tmp_path: Path, cluster_settings: Settings) -> Iterator[Cluster]:
    folder = tmp_path / "cluster"
    folder.mkdir()
    running = Cluster(folder, cluster_settings)
    yield running
    running.stop()
