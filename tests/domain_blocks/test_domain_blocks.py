"""A person's blocked domains: stored and listed (Roost does not federate, so they
hide nothing yet), never this server's own domain."""

from __future__ import annotations

import httpx

from tests.factories import Factory


async def test_block_list_unblock(client: httpx.AsyncClient, factory: Factory) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    for domain in ("spam.example", "Bad.Example", "https://evil.example/path", "spam.example"):
        response = await client.post(
            "/api/v1/domain_blocks", headers=alice.headers, data={"domain": domain}
        )
        assert response.status_code == 200, domain
        assert response.json() == {}
    listed = await client.get("/api/v1/domain_blocks", headers=alice.headers)
    assert listed.json() == ["evil.example", "bad.example", "spam.example"]
    assert (await client.get("/api/v1/domain_blocks", headers=bob.headers)).json() == []

    page = await client.get("/api/v1/domain_blocks", headers=alice.headers, params={"limit": 2})
    assert page.json() == ["evil.example", "bad.example"]
    rest = await client.get(page.links["next"]["url"], headers=alice.headers)
    assert rest.json() == ["spam.example"]

    gone = await client.request(
        "DELETE", "/api/v1/domain_blocks", headers=alice.headers, data={"domain": "BAD.example"}
    )
    assert gone.status_code == 200 and gone.json() == {}
    listed = await client.get("/api/v1/domain_blocks", headers=alice.headers)
    assert listed.json() == ["evil.example", "spam.example"]


async def test_refused(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    cases = {
        "": "Validation failed: Domain can't be blank",
        "localhost": "Validation failed: Domain cannot be this server's own domain",
        "not a domain": "Validation failed: Domain is not a valid domain name",
    }
    for domain, error in cases.items():
        response = await client.post(
            "/api/v1/domain_blocks", headers=alice.headers, data={"domain": domain}
        )
        assert response.status_code == 422, domain
        assert response.json()["error"] == error
    missing = await client.post("/api/v1/domain_blocks", headers=alice.headers)
    assert missing.status_code == 422
    assert (await client.get("/api/v1/domain_blocks", headers=alice.headers)).json() == []
    assert (await client.get("/api/v1/domain_blocks")).status_code == 401
    reader = {"Authorization": f"Bearer {await factory.token(alice, 'read:blocks')}"}
    refused = await client.post(
        "/api/v1/domain_blocks", headers=reader, data={"domain": "spam.example"}
    )
    assert refused.status_code == 403
    follow_scope = {"Authorization": f"Bearer {await factory.token(alice, 'follow')}"}
    assert (await client.get("/api/v1/domain_blocks", headers=follow_scope)).status_code == 200
