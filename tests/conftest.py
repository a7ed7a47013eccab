"""Shared fixtures: a migrated database per test, the app in-process, a live server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from roost.app import create_app
from roost.core.runtime import Runtime
from roost.core.settings import Settings
from roost.migrate import migrate
from tests.factories import Factory


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test gets a copy of this file."""
    folder = tmp_path_factory.mktemp("template")
    migrate(Settings(data_dir=folder))
    return folder / "roost.sqlite3"


@pytest.fixture
def settings(tmp_path: Path, template_db: Path) -> Settings:
    shutil.copy(template_db, tmp_path / "roost.sqlite3")
    return Settings(
        data_dir=tmp_path,
        domain="localhost",
        secret_key="test-secret",
        rate_limits=False,
        sweep_after_seconds=30,
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = Runtime(settings)
    await runtime.start(sweep=False)
    yield runtime
    await runtime.stop()


@pytest.fixture
async def client(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http,
    ):
        yield http


@pytest.fixture
def factory(runtime: Runtime) -> Factory:
    return Factory(runtime)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``roost serve`` process on a free port; yields its base URL."""
    data = tmp_path_factory.mktemp("live")
    port = free_port()
    env = {
        **os.environ,
        "ROOST_DATA_DIR": str(data),
        "ROOST_DOMAIN": f"127.0.0.1:{port}",
        "ROOST_RATE_LIMITS": "off",
        "ROOST_DATABASE_URL": "",
    }
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "roost.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError((data / "server.log").read_text())
    yield base
    process.terminate()
    process.wait(timeout=15)
    log.close()
