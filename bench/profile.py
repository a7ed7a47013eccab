"""Sampling profiles of the API workers with py-spy, summarized as shares of samples.

``py-spy record --format raw`` writes collapsed stacks ("frame;frame;... count"); a
frame counts once per sample however often it recurs in the stack (inclusive time).
"""

from __future__ import annotations

import asyncio
import collections
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

# Buckets a sample falls in, first match wins (checked from the innermost frame out).
BUCKETS: tuple[tuple[str, str], ...] = (
    ("SQL: asyncpg driver", r"asyncpg/"),
    ("SQL: SQLAlchemy (compile, ORM, rows)", r"sqlalchemy/"),
    ("Redis client", r"redis/"),
    ("JSON (orjson) and rendering", r"roost/statuses/render|roost/accounts/render|orjson"),
    ("FastAPI / Starlette / pydantic", r"fastapi/|starlette/|pydantic"),
    ("uvicorn / httptools / logging", r"uvicorn/|httptools|logging/"),
    ("Roost (other)", r"roost/"),
    ("event loop / other", r""),
)


def py_spy() -> str | None:
    """py-spy from PATH or from this virtualenv (``pip install py-spy``)."""
    beside = Path(sys.executable).parent / "py-spy"
    return shutil.which("py-spy") or (str(beside) if beside.exists() else None)


async def record(pids: Sequence[int], folder: Path, seconds: float) -> list[Path]:
    """Record every pid at once for ``seconds``; returns the raw output files."""
    binary = py_spy()
    if binary is None:
        raise RuntimeError("py-spy is missing: pip install py-spy")
    outputs = [folder / f"profile-{pid}.txt" for pid in pids]
    processes = [
        await asyncio.create_subprocess_exec(
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            "200",
            "--format",
            "raw",
            "--nonblocking",
            "--output",
            str(out),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for pid, out in zip(pids, outputs, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(p.wait() for p in processes)), seconds + 60)
    return [out for out in outputs if out.exists()]


def _stacks(files: Iterable[Path]) -> Iterable[tuple[list[str], int]]:
    for path in files:
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                yield stack.split(";"), int(count)


def summarize(files: Sequence[Path], top: int = 25) -> dict[str, object]:
    """Shares of samples: by bucket (innermost match) and the top inclusive frames."""
    total = 0
    buckets: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    compiled = [(name, re.compile(pattern)) for name, pattern in BUCKETS]
    for frames, count in _stacks(files):
        total += count
        for frame in set(frames):
            if "roost/" in frame or "bench/" in frame:
                inclusive[_short(frame)] += count
        for frame in reversed(frames):
            name = next((n for n, p in compiled if p.pattern and p.search(frame)), None)
            if name is not None:
                buckets[name] += count
                break
        else:
            buckets["event loop / other"] += count
    if not total:
        return {"samples": 0, "buckets": {}, "top_roost_frames": {}}
    return {
        "samples": total,
        "buckets": {name: round(100 * n / total, 1) for name, n in buckets.most_common()},
        "top_roost_frames": {
            frame: round(100 * n / total, 1) for frame, n in inclusive.most_common(top)
        },
    }


def _short(frame: str) -> str:
    """``function (path/to/roost/x.py:12)`` -> ``roost/x.py:function``."""
    match = re.match(r"(?P<fn>.+?) \((?P<path>[^:]+)(?::\d+)?\)$", frame)
    if not match:
        return frame
    path = match.group("path")
    path = path[path.find("roost/") :] if "roost/" in path else path
    return f"{path}:{match.group('fn')}"
