"""Real Roost processes for job tests: `roost serve` and `roost worker` subprocesses
on one PostgreSQL database and one Redis key prefix, plus a Runtime in the test
process to seed data and look at timelines and the outbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select

from roost.accounts.models import Account
from roost.core.ids import new_id
from roost.core.security import new_token, token_digest
from roost.core.settings import Settings
from roost.follows.models import Follow
from roost.jobs.models import OutboxJob
from roost.jobs.queue import group_name, stream_key
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.timelines.redis_store import RedisTimelineStore
from tests.conftest import free_port
from tests.factories import Factory, User


class Process:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self.url = ""  # an API process's base URL
        self.paused = False
        self._out = log.open("w")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "roost.cli", *args],
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, as when a machine dies."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: the process freezes mid-whatever, its connections left open, as in
        a long GC pause or a stalled VM; ``resume`` (SIGCONT) lets it go on."""
        self.popen.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self.popen.send_signal(signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        if self.paused and self.popen.poll() is None:
            self.resume()  # a stopped process would not act on SIGTERM
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._out.close()

    def output(self) -> str:
        return self.log.read_text()


class Cluster:
    def __init__(self, folder: Path, settings: Settings) -> None:
        self.folder = folder
        self.settings = settings
        self.processes: list[Process] = []
        self.env = {
            **os.environ,
            "ROOST_DATA_DIR": str(folder),
            "ROOST_DATABASE_URL": settings.database_url,
            "ROOST_REDIS_URL": settings.redis_url,
            "ROOST_REDIS_PREFIX": settings.redis_prefix,
            "ROOST_SWEEP_AFTER_SECONDS": str(settings.sweep_after_seconds),
            "ROOST_FANOUT_BATCH": str(settings.fanout_batch),
            "ROOST_RATE_LIMITS": "off",
            "ROOST_SECRET_KEY": "test-secret",
        }
        self.env.pop("ROOST_SERVE_RUNS_JOBS", None)
        self.base_url = ""

    def serve(self, *args: str) -> Process:
        port = free_port()
        env = {**self.env, "ROOST_DOMAIN": f"127.0.0.1:{port}"}
        process = self._start("serve", ["serve", "--no-migrate", "--port", str(port), *args], env)
        self.base_url = process.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass
            assert process.popen.poll() is None, process.output()
            time.sleep(0.1)
        raise AssertionError(f"roost serve did not start:\n{process.output()}")

    def worker(self, *args: str) -> Process:
        return self._start("worker", ["worker", *args], self.env)

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        number = len(self.processes)
        process = Process(name, args, env, self.folder / f"{number}-{name}.log")
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.log.name}\n{p.output()[-3000:]}" for p in self.processes)


async def seed_followers(runtime: Runtime, author: User, count: int) -> list[int]:
    """``count`` accounts following ``author``, written in bulk, with live (empty)
    home timelines: people who have read their timeline recently."""
    ids = [new_id() for _ in range(count)]
    async with runtime.db.write() as session:
        await session.execute(
            insert(Account),
            [
                {
                    "id": account_id,
                    "username": f"f{account_id}",
                    "username_lower": f"f{account_id}",
                    "email": f"f{account_id}@example.com",
                    "password_hash": "-",
                    "following_count": 1,
                }
                for account_id in ids
            ],
        )
        await session.execute(
            insert(Follow),
            [
                {"id": new_id(), "account_id": follower, "target_account_id": author.account.id}
                for follower in ids
            ],
        )
        await session.commit()
    for owner in ids:
        await runtime.timelines.fill(owner, [])
    return ids


async def token_for(runtime: Runtime, factory: Factory, account_id: int) -> dict[str, str]:
    token = new_token()
    async with runtime.db.write() as session:
        session.add(
            AccessToken(
                id=new_id(),
                token_hash=token_digest(token),
                app_id=await factory.app(),
                account_id=account_id,
                scopes="read write follow",
            )
        )
        await session.commit()
    return {"Authorization": f"Bearer {token}"}


async def _in_home(runtime: Runtime, pairs: Sequence[tuple[int, int]]) -> list[bool]:
    """For each (owner, status id): is it in the owner's home timeline (one round trip)."""
    store = runtime.timelines
    assert isinstance(store, RedisTimelineStore)
    async with store.redis.pipeline(transaction=False) as pipe:
        for owner, status_id in pairs:
            pipe.zscore(store.keys(owner)[0], status_id)
        scores = await pipe.execute()
    return [score is not None for score in scores]


async def delivered(runtime: Runtime, owners: Sequence[int], status_id: int) -> int:
    """How many of ``owners`` have the status in their home timeline."""
    return sum(await _in_home(runtime, [(owner, status_id) for owner in owners]))


async def newest_entries(runtime: Runtime, owner: int) -> list[int]:
    return [entry.status_id for entry in await runtime.timelines.page(owner, limit=20)]


async def outbox_size(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxJob)) or 0)


async def consumers(runtime: Runtime) -> list[str]:
    """The names of the processes reading the job stream (one per worker)."""
    assert runtime.redis is not None
    prefix = runtime.settings.redis_prefix
    found = await runtime.redis.xinfo_consumers(stream_key(prefix), group_name(prefix))
    return sorted(str(c["name"], "utf-8") for c in found)


async def held_jobs(runtime: Runtime, consumer: str) -> list[int]:
    """Outbox job ids of the messages ``consumer`` has read and not acknowledged: the
    jobs it is running or is about to run."""
    assert runtime.redis is not None
    prefix = runtime.settings.redis_prefix
    stream = stream_key(prefix)
    pending = await runtime.redis.xpending_range(
        stream, group_name(prefix), min="-", max="+", count=1000, consumername=consumer
    )
    jobs = []
    for entry in pending:
        found = await runtime.redis.xrange(stream, min=entry["message_id"], max=entry["message_id"])
        for _, fields in found or []:
            assert fields is not None
            jobs.append(int(json.loads(fields[b"data"])["args"][0]))
    return jobs


async def outbox_ids(runtime: Runtime) -> set[int]:
    async with runtime.db.read() as session:
        return set(await session.scalars(select(OutboxJob.id)))


async def missing_from_home(runtime: Runtime, owner: int, status_ids: Sequence[int]) -> list[int]:
    """Which of ``status_ids`` are not (yet) in the owner's home timeline."""
    found = await _in_home(runtime, [(owner, status_id) for status_id in status_ids])
    return [s for s, present in zip(status_ids, found, strict=True) if not present]
