"""Everything a running Roost process holds: settings, database, jobs, stores.

The web app and the command line build one ``Runtime`` and start it; code that
needs any part of it (services, the render path, after-commit side effects) takes
it as an argument. Nothing finds it any other way: sessions do not carry it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from roost.accounts.cache import AccountCache
from roost.core.breaker import Breaker
from roost.core.db import Database
from roost.core.history import History
from roost.core.ids import SnowflakeGenerator, install_generator
from roost.core.metrics import forget_database_pool, watch_database_pool
from roost.core.nodes import holder_name, lease_node, release_node, renew_node
from roost.core.ratelimit import RateLimiter
from roost.core.redis import Client, close_redis, connect_redis
from roost.core.settings import Settings, use_settings
from roost.core.versions import Versions
from roost.filters.cache import FilterCache
from roost.jobs.forget import forget_later
from roost.jobs.queue import QueueJobRunner
from roost.jobs.runner import JobRunner
from roost.media.limits import rate_rules
from roost.media.runner import ProcessingPool
from roost.media.storage import LocalStorage, MediaStorage
from roost.statuses.cache import StatusCache
from roost.streaming.bus import Bus, make_bus
from roost.timelines.page_cache import PageCache
from roost.timelines.redis_store import RedisTimelineStore
from roost.timelines.sql_store import DatabaseTimelineStore
from roost.timelines.store import TimelineStore

log = logging.getLogger(__name__)


def make_storage(settings: Settings) -> MediaStorage:
    """S3 when ``ROOST_MEDIA_S3_BUCKET`` is set, else the local disk."""
    if settings.media_s3_bucket:
        from roost.media.s3 import S3Storage  # botocore is imported only when used

        return S3Storage.from_settings(settings)
    return LocalStorage(settings.data_dir / "media", base_url=settings.base_url)


class Runtime:
    def __init__(self, settings: Settings) -> None:
        use_settings(settings)
        self.settings = settings
        self.db = Database(
            settings.resolved_database_url,
            replica_urls=settings.replica_urls,
            max_lag_seconds=settings.database_replica_max_lag_seconds,
        )
        for name, (pool, capacity) in self.db.pools.items():
            watch_database_pool(name, pool, capacity=capacity)
        # One Redis or a Redis Cluster (ROOST_REDIS_CLUSTER), built in core/redis.py; its
        # connections give up on an unreachable Redis fast (core/breaker.py).
        self.redis_breaker = Breaker(cool_off=settings.redis_breaker_seconds)
        self.redis: Client | None = connect_redis(settings, self.redis_breaker)
        self.db.keep_positions(self.redis, prefix=settings.redis_prefix)
        # The queue runner when Redis is configured, else every job runs in this process.
        self.jobs: JobRunner = QueueJobRunner(self) if settings.redis_url else JobRunner(self)
        self.bus: Bus = make_bus(self.redis, settings.redis_prefix)
        self.timelines: TimelineStore
        self.list_timelines: TimelineStore  # keyed by list id
        self.page_cache: PageCache | None = None
        # Without Redis nothing is cached, and forgetting a version does nothing.
        self.versions = Versions(
            self.redis, prefix=settings.redis_prefix, lost=lambda keys: forget_later(self, keys)
        )
        if self.redis is None:
            self.timelines = DatabaseTimelineStore(self.db)
            self.list_timelines = DatabaseTimelineStore(self.db, lists=True)
        else:
            prefix = settings.redis_prefix
            timelines = RedisTimelineStore(
                self.redis, self.db, prefix=prefix, cap=settings.timeline_cap
            )
            self.timelines = timelines
            self.list_timelines = RedisTimelineStore(
                self.redis, self.db, prefix=prefix, cap=settings.timeline_cap, lists=True
            )
            self.page_cache = PageCache(self.redis, self.versions, timelines, prefix=prefix)
        # Uploaded files: the local disk (served by Roost at /system/), or S3 when a
        # bucket is set; the pool of worker processes that decodes and encodes them.
        self.media: MediaStorage = make_storage(settings)
        self.processing = ProcessingPool(
            workers=settings.media_processes,
            memory_bytes=settings.media_memory_mb * 1024 * 1024,
            timeout=settings.media_timeout_seconds,
        )
        self.statuses = StatusCache(
            self.redis,
            prefix=settings.redis_prefix,
            base_url=settings.base_url,
            storage=self.media,
        )
        self.accounts = AccountCache(self.redis, self.versions, base_url=settings.base_url)
        self.filters = FilterCache(self.versions)
        self.limiter = RateLimiter(
            enabled=settings.rate_limits,
            redis=self.redis,
            prefix=settings.redis_prefix,
            rules=rate_rules(settings),
        )
        # With PostgreSQL and Redis: a promotion or a restore makes Redis forget every
        # version, lest a kept page show what the database lost (core/history.py).
        self.history: History | None = None
        if self.redis is not None and not self.db.is_sqlite:
            self.history = History(self.db.url, self.redis, self.versions)
        self.node: int | None = None
        self._holder = holder_name()
        self._renewer: asyncio.Task[None] | None = None

    async def start(self, *, sweep: bool = True) -> None:
        self.node = await lease_node(self.db, self._holder)
        install_generator(SnowflakeGenerator(self.node))
        self._renewer = asyncio.get_running_loop().create_task(self._renew_forever())
        if isinstance(self.timelines, RedisTimelineStore):
            advice = await self.timelines.listpack_advice()
            if advice:
                log.warning(advice)
        await self.jobs.start()
        if sweep:
            self.jobs.start_sweeping()
        if self.history is not None:
            with contextlib.suppress(Exception):  # down now: the watch checks again
                await self.history.check()
            self.history.watch()

    async def _renew_forever(self) -> None:
        assert self.node is not None
        while True:
            await asyncio.sleep(30)
            try:
                if not await renew_node(self.db, self.node, self._holder):
                    log.error("lost the lease on snowflake node %s; taking a new one", self.node)
                    self.node = await lease_node(self.db, self._holder)
                    install_generator(SnowflakeGenerator(self.node))
            except Exception:
                log.exception("renewing the snowflake node lease failed")

    async def stop(self) -> None:
        if self.history is not None:
            await self.history.close()
        await self.jobs.stop()
        if self._renewer:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        if self.node is not None:
            await release_node(self.db, self.node, self._holder)
        await self.bus.close()
        await self.processing.close()
        await self.media.close()
        await self.db.dispose()
        for name, (_, capacity) in self.db.pools.items():
            forget_database_pool(name, capacity=capacity)
        await self.limiter.close()
        if self.redis is not None:
            await close_redis(self.redis)
