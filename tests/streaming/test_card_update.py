"""A card that arrives after its post streams as ``status.update``, as on Mastodon: the
streams that showed the post learn it has a card now."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from roost.core.settings import Settings
from roost.runtime import Runtime
from tests.cards.conftest import CARD_SETTINGS
from tests.cards.pages import Site, serving
from tests.factories import Factory
from tests.streaming.helpers import open_sse
from tests.streaming.test_privacy import act
from tests.streaming.test_sse import post


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serving() as running:
        yield running


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update=CARD_SETTINGS)


async def test_a_late_card_streams_as_a_status_update(
    server: str,
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    bus_kind: str,
    site: Site,
) -> None:
    alice, follower = await factory.user("alice"), await factory.user("follower")
    await act(client, follower, f"/api/v1/accounts/{alice.id}/follow")
    async with (
        open_sse(server, "/api/v1/streaming/user", follower) as home,
        open_sse(server, "/api/v1/streaming/public") as public,
    ):
        status_id = await post(client, alice, f"Read this: {site.url('/article')}")
        await runtime.jobs.drain()
        for stream in (home, public):
            first = await stream.next()
            # Rendered when delivered: it may already show the card, if that came first.
            assert (first.event, first.json()["id"]) == ("update", str(status_id))
            then = await stream.next()
            assert then.event == "status.update"
            assert then.json()["id"] == str(status_id)
            assert then.json()["card"]["title"] == "Goldcrests & firecrests in the park"
