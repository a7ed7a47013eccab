"""`roost serve`: the per-request access log can be turned off and never shows a
secret, and without ROOST_DOMAIN the URLs it writes name the port it serves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.conftest import free_port

WAIT = 30.0


@pytest.mark.parametrize(
    ("env", "args", "logged"),
    [
        ({}, [], True),
        ({"ROOST_ACCESS_LOG": "off"}, [], False),
        ({}, ["--no-access-log"], False),
    ],
    ids=["default", "ROOST_ACCESS_LOG=off", "--no-access-log"],
)
def test_serve_access_log_switch(
    tmp_path: Path, env: dict[str, str], args: list[str], logged: bool
) -> None:
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "ROOST_ACCESS_LOG"}
    environment.update(
        ROOST_DATA_DIR=str(tmp_path),
        ROOST_DATABASE_URL="",
        ROOST_REDIS_URL="",
        ROOST_DOMAIN=f"127.0.0.1:{port}",
        **env,
    )
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "roost.cli", "serve", "--port", str(port), *args],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
                    break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            assert response.status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=15)
    output = log_path.read_text()  # complete: the server has exited
    assert "Application startup complete" in output
    assert ('"GET /health HTTP/1.1" 200' in output) is logged


@dataclass
class Served:
    base: str
    port: int
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``roost serve --port P`` as an operator starts it: no ROOST_DOMAIN, access log on."""
    data = tmp_path_factory.mktemp("serve")
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ROOST_DOMAIN", "ROOST_ACCESS_LOG"}
    }
    environment.update(
        ROOST_DATA_DIR=str(data),
        ROOST_DATABASE_URL="",
        ROOST_REDIS_URL="",
        PYTHONUNBUFFERED="1",  # read the log while it runs
    )
    log_path = data / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "roost.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + WAIT
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            yield Served(base, port, log_path)
        finally:
            process.terminate()
            process.wait(timeout=15)


def test_without_a_domain_the_urls_name_the_served_port(served: Served) -> None:
    v1 = httpx.get(f"{served.base}/api/v1/instance").json()
    assert v1["uri"] == f"localhost:{served.port}"
    assert v1["urls"]["streaming_api"] == f"ws://localhost:{served.port}"
    v2 = httpx.get(f"{served.base}/api/v2/instance").json()
    assert v2["thumbnail"]["url"].startswith(f"http://localhost:{served.port}/")


def test_no_secret_reaches_the_log(served: Served) -> None:
    secrets = {
        name: f"{name}-S3CRET-{served.port}"
        for name in ("access_token", "token", "code", "password", "client_secret", "refresh_token")
    }
    base = served.base
    httpx.get(
        f"{base}/api/v1/accounts/verify_credentials",
        params={"access_token": secrets["access_token"]},
    )
    httpx.get(f"{base}/api/v1/streaming/user", params={"access_token": secrets["access_token"]})
    httpx.post(
        f"{base}/oauth/token",
        params={
            "grant_type": "password",
            "client_id": "x",
            "client_secret": secrets["client_secret"],
            "username": "alice",
            "password": secrets["password"],
            "refresh_token": secrets["refresh_token"],
            "code": secrets["code"],
        },
    )
    httpx.post(f"{base}/oauth/revoke", params={"token": secrets["token"]})
    ws = base.replace("http://", "ws://")
    with pytest.raises(InvalidStatus):
        connect(f"{ws}/api/v1/streaming?stream=user&access_token={secrets['access_token']}")
    deadline = time.monotonic() + WAIT
    while "WebSocket /api/v1/streaming" not in served.log.read_text():
        assert time.monotonic() < deadline, served.log.read_text()
        time.sleep(0.1)
    output = served.log.read_text()
    assert "GET /api/v1/accounts/verify_credentials?access_token=[FILTERED]" in output
    assert "/oauth/revoke?token=[FILTERED]" in output
    assert "WebSocket /api/v1/streaming?stream=user&access_token=[FILTERED]" in output
    leaked = [name for name, secret in secrets.items() if secret in output]
    assert leaked == [], output


@pytest.mark.parametrize(
    ("argv", "environment", "domain"),
    [
        (["--port", "8731"], {}, "localhost:8731"),
        (["--host", "0.0.0.0", "--port", "9000"], {}, "localhost:9000"),
        (["--host", "10.1.2.3", "--port", "9000"], {}, "10.1.2.3:9000"),
        (["--port", "8731"], {"ROOST_DOMAIN": "social.example"}, "social.example"),
    ],
)
def test_the_domain_roost_serve_hands_every_process(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    argv: list[str],
    environment: dict[str, str],
    domain: str,
) -> None:
    """What ``roost serve`` leaves in the environment, which its worker processes read."""
    import uvicorn

    from roost import cli
    from roost.core import settings

    monkeypatch.delenv("ROOST_DOMAIN", raising=False)
    for key, value in {
        "ROOST_DATA_DIR": str(tmp_path),
        "ROOST_SECRET_KEY": "x",
        **environment,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(settings, "_current", None)
    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(os.environ["ROOST_DOMAIN"]))
    settings._from_environment.cache_clear()
    try:
        assert cli.main(["serve", "--no-migrate", *argv]) == 0
        assert started == [domain]
        assert settings.get_settings().domain == domain
    finally:
        settings._from_environment.cache_clear()
