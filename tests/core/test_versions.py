"""Version keys: a reader starts a version before it reads SQL; a writer's change
deletes it only once the change is committed, so a rendering made from what the
reader read is never taken for current after a commit it did not see."""

from __future__ import annotations

import pytest

from roost.core.db import commit
from roost.core.settings import Settings
from roost.core.versions import Versions, version_key
from roost.runtime import Runtime
from tests.conftest import AppClient


@pytest.fixture
def settings(settings: Settings, redis_url: str, prefix: str) -> Settings:
    return settings.model_copy(update={"redis_url": redis_url, "redis_prefix": prefix})


def versions_of(runtime: Runtime) -> Versions:
    assert runtime.versions.redis is not None
    return runtime.versions


async def test_start_sets_a_version_once_and_answers_it_until_it_is_forgotten(
    runtime: Runtime, prefix: str
) -> None:
    versions = versions_of(runtime)
    keys = [versions.key("status", 1), versions.key("home", 2)]
    assert keys == [f"{prefix}v:status:{{1}}", version_key(prefix, "home", 2)]
    first = await versions.start(keys)
    assert all(first) and len(first) == 2
    assert await versions.start(keys) == first  # nothing changed: the same versions
    assert await versions.start([]) == []


async def test_forgetting_takes_effect_only_when_the_transaction_commits(
    runtime: Runtime,
) -> None:
    versions = versions_of(runtime)
    status, home = versions.key("status", 1), versions.key("home", 2)
    held = await versions.start([status, home])  # a reader starts, then reads SQL
    async with runtime.db.write() as session:
        versions.forget(session, "status", [1])
        versions.forget(session, "status", [1])  # said twice, forgotten once
        assert await versions.start([status]) == held[:1]  # not yet: not committed
        await commit(session)
    assert runtime.redis is not None and await runtime.redis.exists(status) == 0
    now = await versions.start([status, home])
    assert now[0] != held[0]  # what the reader rendered is no longer served
    assert now[1] == held[1]  # other things' versions stand


async def test_a_rolled_back_change_forgets_nothing(runtime: Runtime) -> None:
    versions = versions_of(runtime)
    status = versions.key("status", 1)
    held = await versions.start([status])
    async with runtime.db.write() as session:
        versions.forget(session, "status", [1])
        await session.rollback()
    assert await versions.start([status]) == held


async def test_without_redis_nothing_is_versioned(app_client: AppClient) -> None:
    async with app_client(redis_url="") as (_, embedded):
        assert embedded.versions.redis is None
        async with embedded.db.write() as session:
            embedded.versions.forget(session, "status", [1])
            assert "pending" not in session.info  # nothing to do after commit
            await commit(session)
