"""A PostgreSQL primary and a streaming replica of it, on free ports of this machine,
for the tests of read replicas (core/replicas.py) and failover.

The primary is made with ``initdb`` and migrated; the replica is a ``pg_basebackup -R``
of it (a standby following the primary's WAL stream) that applies each commit
``DELAY`` after the primary made it (``recovery_min_apply_delay``): a replica that
always lags. PostgreSQL refuses to run as root, so as root the servers run as the
``postgres`` user, in a folder of theirs under /tmp (pytest's own temporary folders
are root's alone). Everything is stopped and removed at the end.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg

from roost.core.replicas import parse_lsn
from roost.core.settings import Settings
from roost.migrate import migrate
from tests.conftest import free_port

BIN = Path(os.environ.get("ROOST_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
DELAY = "2s"
DATABASE = "roost"
DEADLINE = 60.0

# Small and quick: nothing here needs to survive a crash of the machine.
SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{sockets}'
fsync = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 100
max_wal_senders = 4
wal_level = replica
hot_standby_feedback = on
log_min_messages = warning
"""


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Server:
    """One PostgreSQL server of the pair: its folder and port."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str) -> None:
        _run(str(BIN / "pg_ctl"), "-D", str(self.folder), "-l", f"{self.folder}.log", *args)

    def start(self) -> None:
        self.ctl("-w", "-t", "60", "start")

    def stop(self) -> None:
        self.ctl("-w", "-m", "fast", "stop")

    def kill(self) -> None:
        """Stopped at once, as by a crash: nothing more is sent to its replicas."""
        self.ctl("-m", "immediate", "-w", "stop")

    def promote(self) -> None:
        self.ctl("-w", "-t", "60", "promote")

    async def fetchval(self, sql: str, database: str = "postgres") -> object:
        connection = await asyncpg.connect(f"{self.dsn}/{database}")
        try:
            return await connection.fetchval(sql)
        finally:
            await connection.close()


class Pair:
    """The primary and its replica (see the module's docstring)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="roost-replication-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.primary = Server(self.root / "primary", free_port())
        self.replica = Server(self.root / "replica", free_port())

    def start(self) -> None:
        primary, replica = self.primary, self.replica
        _run(
            str(BIN / "initdb"), "-D", str(primary.folder), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        _configure(primary, SETTINGS.format(sockets=self.root))
        primary.start()
        _run("psql", f"{primary.dsn}/postgres", "-qc", f"CREATE DATABASE {DATABASE}")
        migrate(Settings(database_url=primary.url()))
        _run(
            str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-U", "postgres", "-D", str(replica.folder), "-R", "-X", "stream",
            "-c", "fast", "--no-sync",
        )  # fmt: skip
        _configure(replica, f"recovery_min_apply_delay = '{DELAY}'\n")
        replica.start()

    async def written(self) -> int:
        """The primary's position now."""
        return parse_lsn(str(await self.primary.fetchval("SELECT pg_current_wal_lsn()::text")))

    async def caught_up(self) -> None:
        """Wait until the replica has replayed everything the primary has now."""
        target = await self.written()
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            replayed = await self.replica.fetchval("SELECT pg_last_wal_replay_lsn()::text")
            if parse_lsn(str(replayed)) >= target:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the replica did not catch up")

    async def stop_receiving(self) -> None:
        """The replica stops streaming the primary's WAL (as across a cut network):
        what the primary commits from now on, the replica never has."""
        await self.replica.fetchval("ALTER SYSTEM SET primary_conninfo = ''")
        await self.replica.fetchval("SELECT pg_reload_conf()")
        deadline = time.monotonic() + DEADLINE
        while await self.replica.fetchval("SELECT count(*) FROM pg_stat_wal_receiver"):
            if time.monotonic() > deadline:
                raise TimeoutError("the replica's WAL receiver did not stop")
            await asyncio.sleep(0.05)

    async def pause_replay(self) -> None:
        await self.replica.fetchval("SELECT pg_wal_replay_pause()")

    async def resume_replay(self) -> None:
        await self.replica.fetchval("SELECT pg_wal_replay_resume()")

    def close(self) -> None:
        for server in (self.replica, self.primary):
            if (server.folder / "postmaster.pid").exists():
                subprocess.run(
                    [*_as_postgres(), str(BIN / "pg_ctl"), "-D", str(server.folder),
                     "-m", "immediate", "-w", "stop"],
                    capture_output=True, check=False,
                )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def _configure(server: Server, settings: str) -> None:
    with (server.folder / "postgresql.conf").open("a") as conf:
        conf.write(f"{settings}\nport = {server.port}\n")


def _run(*argv: str) -> None:
    result = subprocess.run([*_as_postgres(), *argv], capture_output=True, text=True, cwd="/")
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {result.stdout}{result.stderr}")
