import hashlib

import httpx
import pytest
from sqlalchemy import select

from roost.oauth.models import OAuthApp
from roost.runtime import Runtime
from tests.factories import Factory
from tests.oauth.support import CALLBACK, OOB, App, app_token, bearer, count, register_app


async def test_register_app_with_a_form_like_mastodon_py(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/apps",
        data={
            "client_name": "Mastodon.py app",
            "scopes": "read write follow push",
            "redirect_uris": f"{OOB}\n{CALLBACK}",
            "website": "https://app.example",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Mastodon.py app"
    assert body["website"] == "https://app.example"
    assert body["scopes"] == ["read", "write", "follow", "push"]
    assert body["redirect_uris"] == [OOB, CALLBACK]
    assert body["redirect_uri"] == f"{OOB}\n{CALLBACK}"
    assert body["vapid_key"] == ""
    assert body["id"].isdigit()
    assert body["client_id"] and body["client_secret"]
    assert body["client_id"] != body["client_secret"]


async def test_register_app_with_json_like_toot(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/apps",
        json={
            "client_name": "toot",
            "redirect_uris": OOB,
            "scopes": "read write follow",
            "website": "https://toot.example",
        },
    )
    assert response.status_code == 200
    assert response.json()["redirect_uris"] == [OOB]
    assert response.json()["scopes"] == ["read", "write", "follow"]


async def test_redirect_uris_as_a_list_and_scopes_default_to_read(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/apps",
        json={"client_name": "List", "redirect_uris": [CALLBACK, "myapp://oauth/done"]},
    )
    assert response.status_code == 200
    assert response.json()["redirect_uris"] == [CALLBACK, "myapp://oauth/done"]
    assert response.json()["scopes"] == ["read"]
    assert response.json()["website"] is None


async def test_only_the_hash_of_the_client_secret_is_stored(
    client: httpx.AsyncClient, runtime: Runtime, app: App
) -> None:
    async with runtime.db.read() as session:
        row = await session.scalar(select(OAuthApp).where(OAuthApp.client_id == app.client_id))
    assert row is not None
    assert row.client_secret_hash == hashlib.sha256(app.client_secret.encode()).hexdigest()
    assert app.client_secret not in repr(
        {c.name: getattr(row, c.name) for c in OAuthApp.__table__.columns}
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"redirect_uris": OOB}, "Application name can't be blank"),
        ({"client_name": "  ", "redirect_uris": OOB}, "Application name can't be blank"),
        ({"client_name": "x" * 101, "redirect_uris": OOB}, "too long"),
        ({"client_name": "No redirect"}, "Redirect URI can't be blank"),
        ({"client_name": "Relative", "redirect_uris": "/callback"}, "absolute URI"),
        ({"client_name": "Script", "redirect_uris": "javascript:alert(1)"}, "absolute URI"),
        ({"client_name": "Fragment", "redirect_uris": f"{CALLBACK}#top"}, "absolute URI"),
        ({"client_name": "No host", "redirect_uris": "https:///path"}, "absolute URI"),
        (
            {"client_name": "Scopes", "redirect_uris": OOB, "scopes": "read admin:everything"},
            "unknown scope admin:everything",
        ),
        (
            {"client_name": "Site", "redirect_uris": OOB, "website": "ftp://files.example"},
            "Website",
        ),
    ],
)
async def test_invalid_app_registrations_are_refused(
    client: httpx.AsyncClient, runtime: Runtime, fields: dict[str, str], message: str
) -> None:
    response = await client.post("/api/v1/apps", data=fields)
    assert response.status_code == 422
    assert message in response.json()["error"]
    assert await count(runtime, OAuthApp) == 0


async def test_malformed_json_is_a_400(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await client.post(
        "/api/v1/apps", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "error" in response.json()
    assert await count(runtime, OAuthApp) == 0


async def test_verify_app_credentials_with_an_app_token(
    client: httpx.AsyncClient, app: App
) -> None:
    token = await app_token(client, app)
    response = await client.get("/api/v1/apps/verify_credentials", headers=bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Test client"
    assert body["scopes"] == ["read", "write", "follow", "push"]
    assert "client_secret" not in body and "client_id" not in body


async def test_verify_app_credentials_with_a_user_token(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await client.get("/api/v1/apps/verify_credentials", headers=alice.headers)
    assert response.status_code == 200
    assert response.json()["name"] == "Test app"


async def test_verify_app_credentials_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/apps/verify_credentials")).status_code == 401
    bad = await client.get("/api/v1/apps/verify_credentials", headers=bearer("not-a-token"))
    assert bad.status_code == 401
    assert "error" in bad.json()


@pytest.mark.parametrize("settings", [{"rate_limits": True}], indirect=True)
async def test_app_registration_is_rate_limited_by_ip(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    for _ in range(20):
        await register_app(client)
    response = await client.post("/api/v1/apps", data={"client_name": "x", "redirect_uris": OOB})
    assert response.status_code == 429
    assert "error" in response.json()
    assert await count(runtime, OAuthApp) == 20
