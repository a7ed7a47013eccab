"""What the server says about itself, as Mastodon.py and toot read it."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from roost import __version__
from roost.core.db import utcnow
from roost.instance import service
from roost.runtime import Runtime
from tests.factories import Factory
from tests.search.posts import post

VERSION = re.compile(r"^\d+\.\d+\.\d+$")


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    """The counts are cached per database URL for a minute; on PostgreSQL every test
    runs on the same (emptied) database."""
    service._stats_cache.clear()


async def test_instance_v1(client: httpx.AsyncClient, factory: Factory, runtime: Runtime) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await factory.user("waiting", approved=False)
    original = await post(runtime, alice, "one")
    await post(runtime, alice, "two")
    await post(runtime, bob, reblog_of=original)

    for path in ("/api/v1/instance", "/api/v1/instance/"):
        response = await client.get(path)
        assert response.status_code == 200
        body = response.json()
        assert body["uri"] == "localhost"  # a bare domain: toot's login needs it
        assert body["title"] == "Roost"
        assert VERSION.match(body["version"].split(" ")[0])
        assert body["version"] == f"4.3.0 (compatible; Roost {__version__})"
        assert body["urls"] == {"streaming_api": "ws://localhost"}
        # Approved people only; boosts are not statuses of their own.
        assert body["stats"] == {"user_count": 2, "status_count": 2, "domain_count": 1}
        assert body["registrations"] is True
        assert body["approval_required"] is False
        assert body["invites_enabled"] is False
        assert body["configuration"]["statuses"]["max_characters"] == 500
        assert "image/jpeg" in body["configuration"]["media_attachments"]["supported_mime_types"]
        assert body["contact_account"] is None
        assert body["rules"] == []
        assert body["languages"] == ["en"]
        assert body["thumbnail"] is None


async def test_instance_v2(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("recent", last_status_at=utcnow() - timedelta(days=3))
    await factory.user("dormant", last_status_at=utcnow() - timedelta(days=90))
    await factory.user("silent")
    response = await client.get("/api/v2/instance/")
    assert response.status_code == 200
    body = response.json()
    assert body["domain"] == "localhost"
    assert VERSION.match(body["version"].split(" ")[0])
    assert body["api_versions"] == {"mastodon": 2}
    assert body["configuration"]["urls"]["streaming"] == "ws://localhost"
    assert body["configuration"]["translation"] == {"enabled": False}
    assert body["configuration"]["statuses"]["max_characters"] == 500
    assert body["registrations"] == {"enabled": True, "approval_required": False, "message": None}
    assert body["contact"] == {"email": "", "account": None}
    assert body["usage"]["users"]["active_month"] == 1
    assert isinstance(body["thumbnail"]["url"], str)


async def test_registration_modes_and_public_domain(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.registrations = "approval"
    v1 = (await client.get("/api/v1/instance")).json()
    assert (v1["registrations"], v1["approval_required"]) == (True, True)
    runtime.settings.registrations = "closed"
    runtime.settings.domain = "social.example"
    v2 = (await client.get("/api/v2/instance")).json()
    assert v2["registrations"]["enabled"] is False
    assert v2["domain"] == "social.example"
    assert v2["configuration"]["urls"]["streaming"] == "wss://social.example"


async def test_nodeinfo(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("alice")
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    assert links[0]["href"].endswith("/nodeinfo/2.0")
    info = (await client.get("/nodeinfo/2.0")).json()
    assert info["software"] == {"name": "roost", "version": __version__}
    assert info["usage"]["users"]["total"] == 1
    assert info["openRegistrations"] is True


async def test_empty_public_lists(client: httpx.AsyncClient) -> None:
    """No federation (no peers), no custom emoji, no rules: empty is the true answer;
    trends are empty on a server nobody has posted on."""
    for path in (
        "/api/v1/custom_emojis",
        "/api/v1/instance/peers",
        "/api/v1/instance/rules",
        "/api/v1/trends/tags",
        "/api/v1/trends/statuses",
        "/api/v1/trends/links",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.json() == [], path


async def test_preferences(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    response = await client.get("/api/v1/preferences", headers=alice.headers)
    assert response.status_code == 200
    assert response.json() == {
        "posting:default:visibility": "public",
        "posting:default:sensitive": False,
        "posting:default:language": None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }
    assert (await client.get("/api/v1/preferences")).status_code == 401
    narrow = await factory.token(alice, "read:statuses")
    scoped = await client.get("/api/v1/preferences", headers={"Authorization": f"Bearer {narrow}"})
    assert scoped.status_code == 403
    assert "error" in scoped.json()


async def test_empty_personal_lists_need_their_scopes(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    cases = {
        "/api/v1/filters": "read:filters",
        "/api/v2/filters": "read:filters",
        "/api/v1/lists": "read:lists",
        "/api/v1/followed_tags": "read:follows",
    }
    other = {"Authorization": f"Bearer {await factory.token(alice, 'read:statuses')}"}
    for path, scope in cases.items():
        assert (await client.get(path)).status_code == 401, path
        assert (await client.get(path, headers=other)).status_code == 403, path
        right = {"Authorization": f"Bearer {await factory.token(alice, scope)}"}
        response = await client.get(path, headers=right)
        assert response.status_code == 200, path
        assert response.json() == [], path
