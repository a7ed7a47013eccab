"""What answering a kept home page costs Redis and this process, per read: the ways
``timelines/pages.py`` could ask, on the same Redis, in turn.

    .venv/bin/python -m bench.page_check [--keys 40] [--bytes 33788] [--reads 5000]

- ``page through the script``: the first version: the script checked the versions and
  returned the page (the page crosses into and out of Lua);
- ``check, page by GET``: the script only checks, a plain ``HGET`` fetches the page;
- ``check, one page a call``: ``PageCache``'s script, one page per call (the page is in
  the process's memory: the script answers its id);
- ``check, 4 pages a call``: the same script for 4 pages at once, as ``PageCache``
  sends the pages asked for in one turn of the event loop (per read);
- ``plain GET of the page``: no check at all, for scale.

Redis CPU is ``INFO cpu`` (user + sys) before and after; client CPU is this process's
``time.process_time``. Keys live under a prefix of their own and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable

import orjson
from redis.asyncio import Redis

from roost.core.scripts import Script
from roost.timelines.page_cache import CHECK

# The first version's script, for comparison: versions as 'key version ...' text.
PAGE_THROUGH_SCRIPT = """
local page = redis.call('HMGET', KEYS[1], 'id', 'v')
if not page[1] then return false end
for key, version in string.gmatch(page[2], '(%S+) (%S+)') do
  if redis.call('GET', key) ~= version then return false end
end
return {page[1], redis.call('HGET', KEYS[1], 'b')}
"""
CHECK_ONLY = """
local page = redis.call('HMGET', KEYS[1], 'id', 'v')
if not page[1] then return 0 end
for key, version in string.gmatch(page[2], '(%S+) (%S+)') do
  if redis.call('GET', key) ~= version then return 0 end
end
return 1
"""


async def _redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


async def run(url: str, keys: int, size: int, reads: int) -> None:
    redis = Redis.from_url(url)
    prefix = f"roost-bench-page:{secrets.token_hex(4)}:"
    version_keys = [f"{prefix}v:status:{{{913201775899574272 + i}}}" for i in range(keys)]
    versions = [secrets.token_hex(8) for _ in version_keys]
    pages = [f"{prefix}text:{{{n}}}" for n in range(4)]
    kept = [f"{prefix}hp:{{{n}}}" for n in range(4)]
    body = b"x" * size
    try:
        await redis.mset(dict(zip(version_keys, versions, strict=True)))
        text = " ".join(f"{k} {v}" for k, v in zip(version_keys, versions, strict=True))
        held = orjson.dumps([version_keys, versions])
        for page, kept_page in zip(pages, kept, strict=True):
            await redis.hset(page, mapping={"id": "page", "v": text, "b": body})
            await redis.hset(kept_page, mapping={"id": "page", "v": held, "b": body})
        through, check_only, check = (
            Script(PAGE_THROUGH_SCRIPT),
            Script(CHECK_ONLY),
            Script(CHECK),
        )

        async def page_through_script() -> object:
            return await through.run(redis, pages[:1], ())

        async def check_then_get() -> object:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.evalsha(check_only.sha, 1, pages[0])
                pipe.hget(pages[0], "b")
                return await pipe.execute()

        async def check_one() -> object:
            return await check.run(redis, kept[:1], ("page",))

        async def check_four() -> object:
            return await check.run(redis, kept, ("page",) * 4)

        async def plain_get() -> object:
            return await redis.hget(pages[0], "b")

        await check_only.run(redis, pages[:1], ())  # loaded, for the pipeline's EVALSHA
        ways: list[tuple[str, Callable[[], Awaitable[object]], int]] = [
            ("page through the script", page_through_script, 1),
            ("check, page by GET", check_then_get, 1),
            ("check, one page a call", check_one, 1),
            ("check, 4 pages a call", check_four, 4),
            ("plain GET of the page", plain_get, 1),
        ]
        print(f"{keys} version keys, a {size:,}-byte page, {reads:,} reads each")
        print("| way | Redis CPU per read | client CPU per read |")
        print("| --- | --- | --- |")
        for name, way, per_call in ways:
            assert await way()
            calls = reads // per_call
            redis_before, client_before = await _redis_cpu(redis), time.process_time()
            for _ in range(calls):
                await way()
            client = (time.process_time() - client_before) / reads * 1e6
            server = (await _redis_cpu(redis) - redis_before) / reads * 1e6
            print(f"| {name} | {server:.0f} us | {client:.0f} us |")
    finally:
        await redis.delete(*version_keys, *pages, *kept)
        await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--bytes", type=int, default=33_788)
    parser.add_argument("--reads", type=int, default=5_000)
    args = parser.parse_args()
    asyncio.run(run(args.redis, args.keys, args.bytes, args.reads))


if __name__ == "__main__":
    main()
