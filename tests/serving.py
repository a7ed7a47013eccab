"""Start a real ``roost serve`` process of a test's own and wait until it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port


def start_serve(folder: Path, env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    """``roost serve`` with ``env`` over this process's environment, its output in
    ``folder`` (serve.out, serve.err); returns its base URL once /health answers."""
    port = free_port()
    with (folder / "serve.out").open("w") as out, (folder / "serve.err").open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "roost.cli", "serve", "--port", str(port)],
            env={**os.environ, "ROOST_DATA_DIR": str(folder), **env},
            stdout=out,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return base, process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    process.wait()
    raise AssertionError(f"roost serve did not start:\n{(folder / 'serve.err').read_text()}")
