"""A small load through the balancer, and the exactly-once check after it.

Writers post without pause; each post carries an Idempotency-Key and is sent again with
the same key until it answers 200 (what a careful client does when a request fails: the
first attempt may have committed). Readers read their home timelines. Every answer that
is not a 200 is recorded with its time, so a test can say which errors a fault caused
and when the service answered again; so is when each post answered and when a reader
first saw it, and, for a post some attempt of which answered 503, when the last 503
came: a 503 promises the post was not made, so its id must be younger than that answer.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.oauth.support import Person, sign_up_over_api

PASSWORD = "correct horse battery staple 42"
PAGE = 40
RETRY_SECONDS = 90.0  # a post is retried this long before the load gives up on it
# A few posts and reads a second per person: enough to catch a fault mid-request
# without filling the small machine (each post is delivered to four homes).
WRITER_PAUSE = 0.25
READER_PAUSE = 0.1


@dataclass(frozen=True)
class Failure:
    at: float  # time.monotonic()
    what: str  # "post" or "read"
    outcome: str  # the status code, or the exception's name


@dataclass
class Load:
    base_url: str
    writers: list[Person]
    readers: list[Person]
    posted: dict[str, list[str]] = field(default_factory=dict)  # writer id -> answered ids
    answered_at: dict[str, float] = field(default_factory=dict)  # post id -> when it answered
    read_at: list[float] = field(default_factory=list)  # when each home read answered 200
    first_seen: dict[str, float] = field(default_factory=dict)  # post id -> first in a home
    unavailable_before: dict[str, float] = field(default_factory=dict)  # id -> last 503
    failures: list[Failure] = field(default_factory=list)
    repeated_in_a_page: list[str] = field(default_factory=list)

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as http:
            await asyncio.gather(
                *(self._write(http, writer, stop) for writer in self.writers),
                *(self._read(http, reader, stop) for reader in self.readers),
            )

    def posts_since(self, moment: float) -> int:
        return sum(1 for at in self.answered_at.values() if at > moment)

    def posts_between(self, start: float, end: float) -> list[str]:
        """The posts that answered 200 between ``start`` and ``end``."""
        return [i for i, at in self.answered_at.items() if start < at < end]

    def reads_between(self, start: float, end: float) -> int:
        return sum(1 for at in self.read_at if start < at < end)

    def errors(self) -> Counter[str]:
        return Counter(f"{f.what} {f.outcome}" for f in self.failures)

    async def _write(self, http: httpx.AsyncClient, writer: Person, stop: asyncio.Event) -> None:
        posted = self.posted.setdefault(writer.id, [])
        number = 0
        while not stop.is_set():
            number += 1
            key = uuid.uuid4().hex
            text = f"{writer.username} post {number}"
            headers = {**writer.headers, "Idempotency-Key": key}
            deadline = time.monotonic() + RETRY_SECONDS
            unavailable = 0.0  # time.time() of the last 503
            while time.monotonic() < deadline:
                outcome = await self._send(http, "POST", "/api/v1/statuses", headers, text)
                if isinstance(outcome, httpx.Response):
                    made = outcome.json()["id"]
                    posted.append(made)
                    self.answered_at[made] = time.monotonic()
                    if unavailable:
                        self.unavailable_before[made] = unavailable
                    break
                self.failures.append(Failure(time.monotonic(), "post", outcome))
                if outcome == "503":
                    unavailable = time.time()
                await asyncio.sleep(0.2)
            else:
                raise AssertionError(f"a post by {writer.username} never answered 200")
            await asyncio.sleep(WRITER_PAUSE)

    async def _read(self, http: httpx.AsyncClient, reader: Person, stop: asyncio.Event) -> None:
        while not stop.is_set():
            outcome = await self._send(http, "GET", "/api/v1/timelines/home", reader.headers)
            if isinstance(outcome, httpx.Response):
                now = time.monotonic()
                self.read_at.append(now)
                ids = [status["id"] for status in outcome.json()]
                for seen in ids:
                    self.first_seen.setdefault(seen, now)
                self.repeated_in_a_page += [i for i, n in Counter(ids).items() if n > 1]
            else:
                self.failures.append(Failure(time.monotonic(), "read", outcome))
            await asyncio.sleep(READER_PAUSE)

    @staticmethod
    async def _send(
        http: httpx.AsyncClient, method: str, path: str, headers: dict[str, str], text: str = ""
    ) -> httpx.Response | str:
        """The 200 response, or what went wrong instead."""
        try:
            if method == "POST":
                response = await http.post(path, headers=headers, data={"status": text})
            else:
                response = await http.get(path, headers=headers, params={"limit": 20})
        except httpx.HTTPError as exc:
            return type(exc).__name__
        return response if response.status_code == 200 else str(response.status_code)


async def sign_up(http: httpx.AsyncClient, username: str) -> Person:
    """An account made through the API, as an app would: app, app token, sign-up."""
    return await sign_up_over_api(http, username, PASSWORD)


async def make_cast(base_url: str, tag: str) -> tuple[list[Person], list[Person]]:
    """Three writers and three readers who follow every writer."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        writers = [await sign_up(http, f"w{tag}{n}") for n in range(3)]
        readers = [await sign_up(http, f"r{tag}{n}") for n in range(3)]
        for reader in readers:
            for writer in writers:
                followed = await http.post(
                    f"/api/v1/accounts/{writer.id}/follow", headers=reader.headers
                )
                assert followed.status_code == 200, followed.text
    return writers, readers


async def all_ids(http: httpx.AsyncClient, path: str, person: Person) -> list[str]:
    """Every id of a timeline, paged back with max_id to its end (duplicates kept)."""
    ids: list[str] = []
    params: dict[str, str | int] = {"limit": PAGE}
    while True:
        response = await http.get(path, headers=person.headers, params=params)
        assert response.status_code == 200, response.text
        page = [status["id"] for status in response.json()]
        if not page:
            return ids
        ids += page
        params = {"limit": PAGE, "max_id": page[-1]}


async def missing_or_repeated(load: Load, *, deadline: float) -> dict[str, object]:
    """After the load: wait (up to ``deadline`` seconds) until every post that answered
    200 is, exactly once, in its author's statuses, in the author's home and in each
    reader's home, and nothing else is; then return what is still wrong (empty: all)."""
    expected = sorted(i for ids in load.posted.values() for i in ids)
    give_up = time.monotonic() + deadline
    async with httpx.AsyncClient(base_url=load.base_url, timeout=30) as http:
        while True:
            wrong: dict[str, object] = {}
            for writer in load.writers:
                statuses = await all_ids(http, f"/api/v1/accounts/{writer.id}/statuses", writer)
                if sorted(statuses) != sorted(load.posted[writer.id]):
                    wrong[f"{writer.username}'s statuses"] = _difference(
                        statuses, load.posted[writer.id]
                    )
                home = await all_ids(http, "/api/v1/timelines/home", writer)
                if sorted(home) != sorted(load.posted[writer.id]):
                    wrong[f"{writer.username}'s home"] = _difference(home, load.posted[writer.id])
            for reader in load.readers:
                home = await all_ids(http, "/api/v1/timelines/home", reader)
                if sorted(home) != expected:
                    wrong[f"{reader.username}'s home"] = _difference(home, expected)
            if not wrong or time.monotonic() > give_up:
                return wrong
            await asyncio.sleep(0.5)


def _difference(seen: list[str], expected: list[str]) -> dict[str, list[str]]:
    counts = Counter(seen)
    return {
        "missing": sorted(set(expected) - set(counts)),
        "repeated": sorted(i for i, n in counts.items() if n > 1),
        "unexpected": sorted(set(counts) - set(expected)),
    }
