"""`roost serve`: the per-request access log can be turned off."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port


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
