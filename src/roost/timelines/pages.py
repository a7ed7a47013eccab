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
A lost version or page (flush, eviction) only costs a render.

Only first pages and polls are kept (no ``max_id``: paging back is rarely asked
twice), for ``PAGE_TTL_SECONDS``: a kept page costs Redis the page's size while
its reader is active. The script reads keys it is not given (like DELIVER): one
Redis, not Redis Cluster.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Mapping

from redis.asyncio import Redis

from roost.core.scripts import Script
from roost.core.versions import Versions
from roost.timelines.redis_store import RedisTimelineStore

PAGE_TTL_SECONDS = 60

# Pages this process keeps in memory too: a hit then moves no page through Redis.
LOCAL_PAGES = 1024

# KEYS: the page (a hash: id, versions, body). ARGV: the id of the copy this process
# holds, or ''. If every version still holds: {id}, or {id, body} when the caller's
# copy is not that one; else nothing.
GET = """
local page = redis.call('HMGET', KEYS[1], 'id', 'v')
if not page[1] then return false end
for key, version in string.gmatch(page[2], '(%S+) (%S+)') do
  if redis.call('GET', key) ~= version then return false end
end
if page[1] == ARGV[1] then return {page[1]} end
return {page[1], redis.call('HGET', KEYS[1], 'b')}
"""


class Watch:
    """The versions a page being rendered depends on, each read before its data."""

    def __init__(self, pages: HomePages) -> None:
        self._pages = pages
        self.held: dict[str, str] = {}
        self.spoiled = False  # a version could not be read: do not keep the page

    def hold(self, key: str, version: str | bytes | None) -> None:
        if version is None:
            self.spoiled = True
        else:
            self.held[key] = version.decode() if isinstance(version, bytes) else version

    async def start(self, kind: str, idents: list[int] | list[str]) -> None:
        keys = [self._pages.versions.key(kind, ident) for ident in idents]
        for key, version in zip(keys, await self._pages.versions.start(keys), strict=True):
            self.hold(key, version)

    async def hold_head(self, owner_id: int) -> None:
        key = self._pages.timelines.keys(owner_id)[2]
        self.hold(key, await self._pages.redis.get(key))

    def hold_posted(self, tokens: Mapping[int, str | None]) -> None:
        for author, token in tokens.items():
            self.hold(self._pages.timelines.posted_key(author), token)


class HomePages:
    def __init__(
        self, redis: Redis, versions: Versions, timelines: RedisTimelineStore, *, prefix: str
    ) -> None:
        self.redis = redis
        self.versions = versions
        self.timelines = timelines
        self.prefix = prefix
        self._get = Script(GET)
        self._local: OrderedDict[str, tuple[str, bytes]] = OrderedDict()

    def _key(self, digest: str, query: str) -> str:
        query_hash = hashlib.blake2b(query.encode(), digest_size=8).hexdigest()
        return f"{self.prefix}hp:{digest}:{query_hash}"

    async def cached(self, digest: str, query: str) -> tuple[bytes, str | None] | None:
        """The kept page (body, Link header) for this token and query string, if it
        still holds."""
        key = self._key(digest, query)
        local = self._local.get(key)
        found = await self._get.run(self.redis, [key], (local[0] if local else "",))
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

    async def watch(self, digest: str) -> Watch:
        """Start watching a render for this token: its version first, before the
        token is read."""
        watch = Watch(self)
        await watch.start("token", [digest])
        return watch

    async def keep(
        self, digest: str, query: str, watch: Watch, body: bytes, link: str | None
    ) -> None:
        if watch.spoiled:
            return
        key, page_id = self._key(digest, query), secrets.token_hex(8)
        versions = " ".join(f"{name} {version}" for name, version in watch.held.items())
        page = b"%s\n%s" % ((link or "").encode(), body)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"id": page_id, "v": versions, "b": page})
            pipe.expire(key, PAGE_TTL_SECONDS)
            await pipe.execute()
        self._remember(key, page_id, page)

    def _remember(self, key: str, page_id: str, page: bytes) -> None:
        self._local[key] = (page_id, page)
        self._local.move_to_end(key)
        if len(self._local) > LOCAL_PAGES:
            self._local.popitem(last=False)
