"""The limits the instance states are the ones the server enforces."""

from __future__ import annotations

import httpx

from roost.core.settings import Settings
from roost.featured_tags.service import MAX_FEATURED_TAGS
from roost.instance import service
from roost.media.limits import MAX_ATTACHMENTS, SUPPORTED_MIME_TYPES
from roost.media.processing import MAX_PIXELS
from roost.runtime import Runtime
from roost.statuses.service import MAX_CHARACTERS
from tests.discovery.posts import post_ago
from tests.factories import Factory


async def test_configuration_states_the_real_limits(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    v2 = (await client.get("/api/v2/instance")).json()
    v1 = (await client.get("/api/v1/instance")).json()
    for configuration in (v2["configuration"], v1["configuration"]):
        assert configuration["statuses"]["max_characters"] == MAX_CHARACTERS
        assert configuration["statuses"]["characters_reserved_per_url"] == 23
        assert configuration["accounts"]["max_featured_tags"] == MAX_FEATURED_TAGS
        assert configuration["statuses"]["max_media_attachments"] == MAX_ATTACHMENTS
        media = configuration["media_attachments"]
        assert media["supported_mime_types"] == SUPPORTED_MIME_TYPES
        assert media["image_size_limit"] == settings.media_max_bytes
        assert media["image_matrix_limit"] == MAX_PIXELS
        assert configuration["polls"] == {
            "max_options": settings.poll_max_options,
            "max_characters_per_option": settings.poll_max_characters_per_option,
            "min_expiration": settings.poll_min_expiration,
            "max_expiration": settings.poll_max_expiration,
        }
        assert configuration["accounts"]["max_pinned_statuses"] == settings.max_pinned_statuses
    assert v2["configuration"]["urls"] == {"streaming": "ws://localhost"}
    assert v2["api_versions"] == {"mastodon": 2}
    assert v2["registrations"]["enabled"] is True

    # What the instance says is what posting enforces.
    alice = await factory.user("alice")
    at_limit = await client.post(
        "/api/v1/statuses", headers=alice.headers, data={"status": "x" * MAX_CHARACTERS}
    )
    assert at_limit.status_code == 200
    over = await client.post(
        "/api/v1/statuses", headers=alice.headers, data={"status": "x" * (MAX_CHARACTERS + 1)}
    )
    assert over.status_code == 422


async def test_weekly_activity(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    service._stats_cache.clear()
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await post_ago(runtime, alice, days=0)
    await post_ago(runtime, alice, days=0)
    await post_ago(runtime, bob, days=0)
    await post_ago(runtime, bob, days=100)  # outside the twelve weeks
    weeks = (await client.get("/api/v1/instance/activity")).json()
    assert len(weeks) == 12
    starts = [int(w["week"]) for w in weeks]
    assert starts == sorted(starts, reverse=True)
    assert all(a - b == 7 * 86400 for a, b in zip(starts, starts[1:], strict=False))
    assert weeks[0]["statuses"] == "3"
    assert weeks[0]["logins"] == "2"
    assert weeks[0]["registrations"] == "2"
    assert sum(int(w["statuses"]) for w in weeks) == 3
