"""HTTP load with wrk: throughput and latency percentiles of one GET path."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).parent / "wrk" / "home.lua"
PACED_SCRIPT = Path(__file__).parent / "wrk" / "home_paced.lua"
HOME_PATH = "/api/v1/timelines/home?limit=20"


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    bytes: int
    errors: int  # non-2xx/3xx answers, connection errors and timeouts
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def mean_body(self) -> float:
        return self.bytes / self.requests if self.requests else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


async def run_wrk(
    url: str,
    tokens_file: Path,
    *,
    duration: float,
    connections: int,
    threads: int,
    path: str = HOME_PATH,
    rate: float = 0.0,
) -> WrkResult:
    """Closed-loop load, ``connections`` requests in flight for ``duration`` seconds; or,
    with ``rate``, that many requests a second in all, on a schedule (home_paced.lua)."""
    paced = [str(rate / threads)] if rate else []
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        str(PACED_SCRIPT if rate else SCRIPT),
        url,
        "--",
        str(tokens_file),
        path,
        *paced,
    ]
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=duration + 60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    text = out.decode(errors="replace")
    line = next((ln for ln in text.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{text}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(
        data[k]
        for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        bytes=data["bytes"],
        errors=errors,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )
