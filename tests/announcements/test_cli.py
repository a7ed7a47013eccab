"""`roost announce` publishes an announcement into the configured database."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def roost(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROOST_")}
    environment.update(ROOST_DATA_DIR=str(tmp_path), ROOST_DOMAIN="localhost:8000")
    return subprocess.run(
        [sys.executable, "-m", "roost.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_announce(tmp_path: Path) -> None:
    done = roost(
        tmp_path,
        "announce",
        "Meetup on #friday",
        "--starts-at",
        "2030-05-01T18:00",
        "--ends-at",
        "2030-05-01T21:00+00:00",
    )
    assert done.returncode == 0, done.stderr
    assert "published" in done.stdout
    with sqlite3.connect(tmp_path / "roost.sqlite3") as db:
        rows = db.execute("SELECT text, content, starts_at, ends_at FROM announcements").fetchall()
    assert len(rows) == 1
    text, content, starts_at, ends_at = rows[0]
    assert text == "Meetup on #friday"
    assert 'href="http://localhost:8000/tags/friday"' in content
    assert starts_at.startswith("2030-05-01 18:00") and ends_at.startswith("2030-05-01 21:00")


def test_announce_refuses_bad_input(tmp_path: Path) -> None:
    blank = roost(tmp_path, "announce", "  ")
    assert blank.returncode == 2 and "Text must be" in blank.stderr
    bad_time = roost(tmp_path, "announce", "Hi", "--starts-at", "tomorrow")
    assert bad_time.returncode == 2 and "ISO 8601" in bad_time.stderr
