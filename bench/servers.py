"""The processes under test: ``roost serve``, ``roost worker``s, and the ceiling app.

Every process is started in a session of its own and stopped by its own id (SIGTERM,
then SIGKILL to its process group if it does not exit), so nothing else is touched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-not-for-production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str | None = None

    def children(self) -> list[int]:
        """Direct children (uvicorn's worker processes), by reading /proc."""
        pids: list[int] = []
        for task in Path(f"/proc/{self.popen.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in task.read_text().split()]
        return pids

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 15.0) -> None:
        if self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # Our own process group only (start_new_session), never a name match.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)


@dataclass
class Stack:
    """What one run started, to stop it all whatever happens."""

    folder: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                argv,
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name=name, popen=popen, log=log)
        self.processes.append(process)
        return process

    def stop(self, process: Process) -> None:
        process.stop()
        if process in self.processes:
            self.processes.remove(process)

    def stop_all(self) -> None:
        for process in self.processes:  # all at once: their shutdowns overlap
            if process.popen.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.popen.terminate()
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                process.stop()
        self.processes.clear()


def roost_env(
    *,
    database_url: str,
    redis_url: str,
    redis_cluster: bool,
    redis_prefix: str,
    port: int,
    data_dir: Path,
    fanout_limit: int,
    timeline_cap: int,
) -> dict[str, str]:
    return {
        **os.environ,
        "ROOST_DATABASE_URL": database_url,
        "ROOST_REDIS_URL": redis_url,
        "ROOST_REDIS_CLUSTER": "true" if redis_cluster else "false",
        "ROOST_REDIS_PREFIX": redis_prefix,
        "ROOST_RATE_LIMITS": "off",
        "ROOST_DOMAIN": f"127.0.0.1:{port}",
        "ROOST_DATA_DIR": str(data_dir),
        "ROOST_SECRET_KEY": SECRET,
        "ROOST_FANOUT_LIMIT": str(fanout_limit),
        "ROOST_TIMELINE_CAP": str(timeline_cap),
        "ROOST_SERVE_RUNS_JOBS": "false",
    }


def start_api(stack: Stack, env: dict[str, str], port: int, workers: int) -> Process:
    argv = [sys.executable, "-m", "roost.cli", "serve", "--no-migrate"]
    argv += ["--port", str(port), "--workers", str(workers)]
    process = stack.start("api", argv, env)
    process.url = f"http://127.0.0.1:{port}"
    return process


def start_worker(stack: Stack, env: dict[str, str], number: int, concurrency: int) -> Process:
    argv = [sys.executable, "-m", "roost.cli", "worker", "--concurrency", str(concurrency)]
    return stack.start(f"worker-{number}", argv, env)


def start_ceiling(stack: Stack, port: int, workers: int, body_bytes: int) -> Process:
    argv = [sys.executable, "-m", "bench.ceiling", "--port", str(port)]
    argv += ["--workers", str(workers), "--bytes", str(body_bytes)]
    process = stack.start("ceiling", argv, {**os.environ, "PYTHONPATH": str(ROOT)})
    process.url = f"http://127.0.0.1:{port}"
    return process


def wait_healthy(process: Process, timeout: float = 60.0) -> None:
    """Until ``/health`` answers 200 (and, with workers, every worker has started)."""
    assert process.url is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{process.url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not become healthy:\n{process.tail()}")


def wait_log(process: Process, needle: str, count: int, timeout: float = 60.0) -> None:
    """Until ``needle`` appears ``count`` times in the process's log (workers started)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.tail()}")
        with contextlib.suppress(OSError):
            if process.log.read_text(errors="replace").count(needle) >= count:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{process.name}: no {needle!r} x{count}:\n{process.tail()}")
