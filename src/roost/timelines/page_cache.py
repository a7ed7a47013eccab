"""The home page cache: a rendered page of a home timeline, kept in Redis for the
token that asked for it, and served again while nothing it shows has changed.

Most home reads find nothing new: a client polls, or opens the same page again.
Rendering one costs a few ms of CPU in Python; serving a kept one costs one script
call. A page is kept with the versions of everything it was rendered from, each
read *before* what it stands for (core/versions.py):

    the token            'token' version: deleted when it is revoked
    the owner's graph    'home' version: deleted on any follow, block or mute
                         between the owner and anyone, either way
    the timeline         its head: every insert moves it (removals come with a
                         graph change or a deletion, both versioned)
    big accounts         their posting tokens (the read-time merge)
    each status shown    'status' version: deleted when its counts change or it
                         is deleted (boosts shown hold their original's too)
    each author shown    the account cache's version: deleted on any change

One script compares them all and answers the page's id if they hold, and the page
too when the asking process has no copy of it: each process keeps the pages it served
last in memory (``LOCAL_PAGES``), so a kept read moves no page through Redis. A kept
page is never older than the last committed change to what it shows: counts,
deletions, blocks and the viewer's own favourites and boosts are as fresh as without
it.
A lost version or page (flush, eviction) only costs a render. With Redis
unreachable nothing is kept or answered from here: every read renders (from SQL,
timelines/service.py).

Only first pages and polls are kept (no ``max_id``: paging back is rarely asked
twice), for ``PAGE_TTL_SECONDS``: a kept page costs Redis the page's size while
its reader is active.

The script reads keys it is not given (the versions a page holds), which one Redis
allows. A page's versions lie in many slots, so on a Redis Cluster the same check is
made by the client instead (``_check_across_slots``): the pages read (one HMGET each,
pipelined), then every version they hold (one MGET per slot), then the bodies the
asking process lacks. Not atomic, and it needs no atomicity: a version is a random
token that, once deleted, never comes back, so a version found equal to the page's
was unchanged from the page's keeping until it was read; every version was then
unchanged at the moment the first of them was read, and the page was true then.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, NamedTuple

import orjson
from prometheus_client import Counter

from roost.core.breaker import REDIS_DOWN
from roost.core.http import JSON
from roost.core.redis import Client, is_cluster, mget
from roost.core.scripts import Script
from roost.core.security import token_digest
from roost.core.versions import Versions, Watch
from roost.timelines.redis_store import RedisTimelineStore

HOME_PATH = "/api/v1/timelines/home"
PAGE_TTL_SECONDS = 60

# Pages this process keeps in memory too: a hit then moves no page through Redis.
LOCAL_PAGES = 1024

# Each owner's index of kept pages (rendered again when the timeline moves): the newest
# this many, kept this long after the last page was kept. Only pages read in the last
# RECENT_READ_SECONDS are rendered again: a reader who stopped costs nothing more.
OWNER_PAGES = 4
INDEX_TTL_SECONDS = 3600
RECENT_READ_SECONDS = 30
# Owners waiting for their pages to be rendered again, at most (a burst of fan-outs
# beyond it leaves the rest to render when read, as without refreshes).
MAX_CHANGED = 10_000

CHANGES_DROPPED = Counter(
    "roost_kept_page_changes_dropped_total",
    "Owners whose kept home pages were not rendered again after their timeline moved, "
    "because too many were waiting (their next read renders)",
)

# Renders a home page; given a watch, it holds the versions of what the page shows.
Render = Callable[["HomeWatch | None"], Awaitable[JSON]]

# KEYS: pages (hashes: id, versions as JSON [[keys], [versions]], body, and the token
# digest and query they were kept for). ARGV: for each, the id of the copy this process
# holds, or ''. Answers for each: false if it is gone or a version changed, else {id},
# or {id, body} if the caller's copy is another. A page that holds lives on: it is
# kept PAGE_TTL_SECONDS after its last read.
CHECK = """
local answers = {}
for n, key in ipairs(KEYS) do
  local answer = false
  local page = redis.call('HMGET', key, 'id', 'v')
  if page[1] then
    local held = cjson.decode(page[2])
    local found = redis.call('MGET', unpack(held[1]))
    answer = {page[1]}
    for i, version in ipairs(held[2]) do
      if found[i] ~= version then
        answer = false
        break
      end
    end
    if answer then
      redis.call('EXPIRE', key, PAGE_TTL_SECONDS)
      if page[1] ~= ARGV[n] then answer[2] = redis.call('HGET', key, 'b') end
    end
  end
  answers[n] = answer
end
return answers
""".replace("PAGE_TTL_SECONDS", str(PAGE_TTL_SECONDS))

# A page rendered again before its reader asked (page_refresh.py) replaces the kept one
# only if that is still kept, and keeps its time to live: a page nobody reads still
# ends PAGE_TTL_SECONDS after its last read. KEYS: the page. ARGV: id, versions, body.
KEEP_IF_KEPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'v', ARGV[2], 'b', ARGV[3])
return 1
"""


class KeptPage(NamedTuple):
    """A kept page, as its owner's index finds it: its key, and the token digest and
    query string it was kept for."""

    key: str
    digest: str
    query: str


class HomeWatch(Watch):
    """A home page's versions: those of ``Watch``, the timeline's head and the posting
    tokens of the big accounts it merged."""

    def __init__(self, versions: Versions, timelines: RedisTimelineStore) -> None:
        super().__init__(versions)
        self._timelines = timelines
        self.owner_id: int | None = None

    async def hold_head(self, owner_id: int) -> None:
        self.owner_id = owner_id
        key = self._timelines.keys(owner_id)[2]
        self.hold(key, await self._timelines.redis.get(key))

    def hold_posted(self, tokens: Mapping[int, str | None]) -> None:
        for author, token in tokens.items():
            self.hold(self._timelines.posted_key(author), token)


class PageCache:
    def __init__(
        self, redis: Client, versions: Versions, timelines: RedisTimelineStore, *, prefix: str
    ) -> None:
        self.redis = redis
        self.versions = versions
        self.timelines = timelines
        self.prefix = prefix
        self._check = Script(CHECK)
        self._local: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._waiting: list[tuple[str, str, asyncio.Future[Any]]] = []
        self._sending: set[asyncio.Task[None]] = set()
        self._keep_if_kept = Script(KEEP_IF_KEPT)
        self._changed: set[int] | None = None
        self._noted = asyncio.Event()

    def _key(self, digest: str, query: str) -> str:
        query_hash = hashlib.blake2b(query.encode(), digest_size=8).hexdigest()
        return f"{self.prefix}hp:{digest}:{query_hash}"

    async def cached(self, digest: str, query: str) -> tuple[bytes, str | None] | None:
        """The kept page (body, Link header) for this token and query string, if it
        still holds."""
        key = self._key(digest, query)
        local = self._local.get(key)
        found = await self._checked(key, local[0] if local else "")
        if found is None:
            return None
        if len(found) == 1 and local is not None:
            self._local.move_to_end(key)
            page = local[1]
        else:
            page = found[1]
            self._remember(key, found[0].decode(), page)
        link, _, body = page.partition(b"\n")
        return body, link.decode() or None

    async def _checked(self, key: str, held_id: str) -> Any:
        """The script's answer for one page. The pages asked for in one turn of the
        event loop (the requests that arrived together) are checked by one call: under
        load, one round trip for several reads, in Redis and in this process."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        self._waiting.append((key, held_id, answer))
        if len(self._waiting) == 1:
            loop.call_soon(self._send_checks)
        return await answer

    def _send_checks(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._check_all(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _check_all(self, batch: list[tuple[str, str, asyncio.Future[Any]]]) -> None:
        keys, held = [key for key, _, _ in batch], [held for _, held, _ in batch]
        try:
            if is_cluster(self.redis):
                answers = await self._check_across_slots(keys, held)
            else:
                answers = await self._check.run(self.redis, keys, held)
        except Exception as exc:  # each reader gets the error, as from its own call
            for *_, answer in batch:
                if not answer.done():
                    answer.set_exception(exc)
            return
        for (*_, answer), found in zip(batch, answers, strict=True):
            if not answer.done():  # the reader may have gone
                answer.set_result(found)

    async def _check_across_slots(self, keys: list[str], held: list[str]) -> list[Any]:
        """CHECK's answers, read slot by slot (a Redis Cluster; see the docstring)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hmget(key, ["id", "v"])
                pipe.expire(key, PAGE_TTL_SECONDS)  # as CHECK's: a changed page is replaced
            pages: list[list[bytes | None]] = (await pipe.execute())[::2]
        holding = [orjson.loads(v) if i is not None and v is not None else None for i, v in pages]
        wanted = list(dict.fromkeys(k for h in holding if h is not None for k in h[0]))
        found = dict(zip(wanted, await mget(self.redis, wanted), strict=True))
        answers: list[Any] = []
        for (page_id, _), versions in zip(pages, holding, strict=True):
            ok = versions is not None and all(
                found[k] is not None and found[k].decode() == v
                for k, v in zip(versions[0], versions[1], strict=True)
            )
            answers.append([page_id] if ok else None)  # None: as the script's false
        fetch = [n for n, answer in enumerate(answers) if answer and answer[0].decode() != held[n]]
        if fetch:
            async with self.redis.pipeline(transaction=False) as pipe:
                for n in fetch:
                    pipe.hmget(keys[n], ["id", "b"])
                bodies: list[list[bytes | None]] = await pipe.execute()
            for n, (page_id, body) in zip(fetch, bodies, strict=True):
                # Kept again meanwhile (another id): its versions were not checked.
                answers[n] = [page_id, body] if page_id == answers[n][0] else None
        return answers

    async def render_and_keep(self, token: str | None, query: str, render: Render) -> JSON:
        """Render a home page that was not kept (or no longer holds) and keep it: the
        token's version is started first, before the render reads the token."""
        if token is None or not keeps(query):
            return await render(None)
        digest = token_digest(token)
        watch = HomeWatch(self.versions, self.timelines)
        await watch.start("token", [digest])
        response = await render(watch)
        if response.status_code == 200:
            with contextlib.suppress(*REDIS_DOWN):  # not kept: the next read renders
                await self._keep(
                    digest, query, watch, bytes(response.body), response.headers.get("link")
                )
        return response

    async def _keep(
        self, digest: str, query: str, watch: HomeWatch, body: bytes, link: str | None
    ) -> None:
        if watch.spoiled:
            return
        key, page_id = self._key(digest, query), secrets.token_hex(8)
        versions, page = _stored(watch, body, link)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key, mapping={"id": page_id, "v": versions, "b": page, "t": digest, "q": query}
            )
            pipe.expire(key, PAGE_TTL_SECONDS)
            await pipe.execute()
        self._remember(key, page_id, page)
        if watch.owner_id is not None:  # the owner's index: in the timeline's slot
            index = self._index(watch.owner_id)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zadd(index, {key: time.time()})
                pipe.zremrangebyrank(index, 0, -OWNER_PAGES - 1)
                pipe.expire(index, INDEX_TTL_SECONDS)
                await pipe.execute()

    def _index(self, owner_id: int) -> str:
        return self.timelines.keys(owner_id)[0] + ":pages"

    # Rendering kept pages again when their timeline moves (page_refresh.py, run by the
    # worker): the fan-out notes the owners it delivered to that have kept pages.

    def collect_changes(self) -> None:
        """Note the owners whose timelines move from now on (this process renders their
        pages again); without it, nothing is noted."""
        self._changed = set()

    def note_changed(self, owner_ids: Iterable[int]) -> None:
        if self._changed is None:
            return
        for owner in owner_ids:
            if len(self._changed) >= MAX_CHANGED:
                CHANGES_DROPPED.inc()  # its reader renders, as without refreshes
            else:
                self._changed.add(owner)
        if self._changed:
            self._noted.set()

    async def changed(self) -> list[int]:
        """The owners noted since the last call, once there is one."""
        await self._noted.wait()
        self._noted.clear()
        owners, self._changed = sorted(self._changed or ()), set()
        return owners

    async def kept_for(self, owner_id: int) -> list[KeptPage]:
        """The owner's kept pages read in the last ``RECENT_READ_SECONDS``; the index
        forgets those that are gone."""
        index = self._index(owner_id)
        members: list[bytes] = await self.redis.zrange(index, 0, -1)  # type: ignore[assignment]
        keys = [key.decode() for key in members]
        if not keys:
            return []
        # Pages lie in many slots: on a cluster the pipeline goes node by node.
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hmget(key, ["t", "q"])
                pipe.pttl(key)
            found = await pipe.execute()
        pages, gone = [], []
        for key, (digest, query), ttl in zip(keys, found[::2], found[1::2], strict=True):
            if digest is None or query is None:
                gone.append(key)
            elif ttl >= (PAGE_TTL_SECONDS - RECENT_READ_SECONDS) * 1000:
                pages.append(KeptPage(key, digest.decode(), query.decode()))
        if gone:
            await self.redis.zrem(index, *gone)
        return pages

    async def render_again(self, page: KeptPage, render: Render) -> None:
        """Render a kept page again and keep it in place of the old one, if that is
        still kept."""
        watch = HomeWatch(self.versions, self.timelines)
        await watch.start("token", [page.digest])
        response = await render(watch)
        if response.status_code != 200 or watch.spoiled:
            return
        versions, stored = _stored(watch, bytes(response.body), response.headers.get("link"))
        await self._keep_if_kept.run(
            self.redis, [page.key], [secrets.token_hex(8), versions, stored]
        )

    async def drop(self, page: KeptPage) -> None:
        """Forget a page that can no longer be rendered for its token (revoked, ...)."""
        await self.redis.delete(page.key)

    def _remember(self, key: str, page_id: str, page: bytes) -> None:
        self._local[key] = (page_id, page)
        self._local.move_to_end(key)
        if len(self._local) > LOCAL_PAGES:
            self._local.popitem(last=False)


def _stored(watch: Watch, body: bytes, link: str | None) -> tuple[bytes, bytes]:
    """A page as kept: its versions as JSON, and its Link header and body."""
    versions = orjson.dumps([list(watch.held), list(watch.held.values())])
    return versions, b"%s\n%s" % ((link or "").encode(), body)


def keeps(query: str) -> bool:
    """Whether a home read with this query string is kept: first pages and polls,
    with the token in the Authorization header."""
    return "max_id" not in query and "access_token" not in query
