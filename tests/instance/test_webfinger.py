"""WebFinger and host-meta: how an acct: name or profile URL is found to be a person."""

from __future__ import annotations

import httpx

from tests.factories import Factory


async def test_webfinger(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("Alice")
    for resource in (
        "acct:alice@localhost",
        "acct:Alice@localhost",
        "http://localhost/@Alice",
        "http://localhost/users/alice",
    ):
        response = await client.get("/.well-known/webfinger", params={"resource": resource})
        assert response.status_code == 200, resource
        assert response.headers["content-type"].startswith("application/jrd+json")
        assert response.json() == {
            "subject": "acct:Alice@localhost",
            "aliases": ["http://localhost/@Alice"],
            "links": [
                {
                    "rel": "http://webfinger.net/rel/profile-page",
                    "type": "text/html",
                    "href": "http://localhost/@Alice",
                }
            ],
        }


async def test_webfinger_unknown_and_malformed(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("alice")
    await factory.user("waiting", approved=False)
    for resource in (
        "acct:bob@localhost",
        "acct:alice@elsewhere.example",
        "acct:waiting@localhost",
        "https://elsewhere.example/@alice",
        "http://localhost/@nobody",
    ):
        response = await client.get("/.well-known/webfinger", params={"resource": resource})
        assert response.status_code == 404, resource
    for resource in ("", "alice", "acct:", "acct:alice", "acct:@localhost", "mailto:a@b"):
        response = await client.get("/.well-known/webfinger", params={"resource": resource})
        assert response.status_code == 400, resource
        assert "error" in response.json()
    assert (await client.get("/.well-known/webfinger")).status_code == 400


async def test_host_meta(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/host-meta")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xrd+xml")
    assert 'xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"' in response.text
    assert 'template="http://localhost/.well-known/webfinger?resource={uri}"' in response.text
