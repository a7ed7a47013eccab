"""The home page cache: a rendered page of a home timeline, kept in Redis for the
token that asked for it, and served again while nothing it shows has changed.

Most home reads find nothing new: a client polls, or several open the same page.
Rendering one costs ~10 ms of CPU in Python; serving a kept one costs one script
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

One script compares them all and returns the page or nothing. So a kept page is
never older than the last committed change to what it shows: counts, deletions,
blocks and the viewer's own favourites and boosts are as fresh as without it.
A lost version or page (flush, eviction) only costs a render.

Only first pages and polls are kept (no ``max_id``: paging back is rarely asked
twice), for ``PAGE_TTL_SECONDS``: a kept page costs Redis the page's size while
its reader is active. The script reads keys it is not given (like DELIVER): one
Redis, not Redis Cluster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from redis.asyncio import Redis

from roost.core.scripts import Script
from roost.core.versions import Versions
from roost.timelines.redis_store import RedisTimelineStore

PAGE_TTL_SECONDS = 60

# KEYS: the page. Returns what follows the versions' line if every one still holds.
GET = """
local page = redis.call('GET', KEYS[1])
if not page then return false end
local split = string.find(page, '\\n', 1, true)
for key, version in string.gmatch(string.sub(page, 1, split - 1), '(%S+) (%S+)') do
  if redis.call('GET', key) ~= version then return false end
end
return string.sub(page, split + 1)
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
        self.held.update(zip(keys, await self._pages.versions.start(keys), strict=True))

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

    def _key(self, digest: str, query: str) -> str:
        query_hash = hashlib.blake2b(query.encode(), digest_size=8).hexdigest()
        return f"{self.prefix}hp:{digest}:{query_hash}"

    async def cached(self, digest: str, query: str) -> tuple[bytes, str | None] | None:
        """The kept page (body, Link header) for this token and query string, if it
        still holds."""
        found: bytes | None = await self._get.run(self.redis, [self._key(digest, query)], ())
        if found is None:
            return None
        link, _, body = found.partition(b"\n")
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
        versions = " ".join(f"{key} {version}" for key, version in watch.held.items())
        page = b"%s\n%s\n%s" % (versions.encode(), (link or "").encode(), body)
        await self.redis.set(self._key(digest, query), page, ex=PAGE_TTL_SECONDS)
