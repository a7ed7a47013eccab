import httpx
import pytest

from tests.factories import PASSWORD, Factory
from tests.oauth.support import App, bearer, password_token, register_app


async def alice_token(client: httpx.AsyncClient, factory: Factory, app: App) -> str:
    await factory.user("alice")
    token: str = (await password_token(client, app, "alice", PASSWORD)).json()["access_token"]
    return token


async def test_revoked_tokens_stop_working(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    token = await alice_token(client, factory, app)
    me = "/api/v1/accounts/verify_credentials"
    assert (await client.get(me, headers=bearer(token))).status_code == 200
    response = await client.post("/oauth/revoke", data={"token": token, **app.credentials()})
    assert response.status_code == 200
    assert response.json() == {}
    after = await client.get(me, headers=bearer(token))
    assert after.status_code == 401
    assert "error" in after.json()
    # Revoking again is harmless.
    again = await client.post("/oauth/revoke", json={"token": token, **app.credentials()})
    assert again.status_code == 200


async def test_revoke_needs_the_apps_credentials(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    token = await alice_token(client, factory, app)
    response = await client.post(
        "/oauth/revoke", data={"token": token, "client_id": app.client_id, "client_secret": "x"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 200


async def test_an_app_cannot_revoke_another_apps_token(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    token = await alice_token(client, factory, app)
    other = await register_app(client)
    response = await client.post("/oauth/revoke", data={"token": token, **other.credentials()})
    assert response.status_code == 403
    assert response.json()["error"] == "unauthorized_client"
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 200


async def test_revoking_an_unknown_token_is_not_an_error(
    client: httpx.AsyncClient, app: App
) -> None:
    response = await client.post("/oauth/revoke", data={"token": "nope", **app.credentials()})
    assert response.status_code == 200
    assert response.json() == {}


async def test_revoke_without_a_token_is_invalid_request(
    client: httpx.AsyncClient, app: App
) -> None:
    response = await client.post("/oauth/revoke", data=app.credentials())
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("settings", [{"domain": "social.example"}], indirect=True)
async def test_authorization_server_metadata(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    body = response.json()
    base = "https://social.example"
    assert body["issuer"] == f"{base}/"
    assert body["authorization_endpoint"] == f"{base}/oauth/authorize"
    assert body["token_endpoint"] == f"{base}/oauth/token"
    assert body["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert body["app_registration_endpoint"] == f"{base}/api/v1/apps"
    assert body["response_types_supported"] == ["code"]
    assert body["grant_types_supported"] == ["authorization_code", "password", "client_credentials"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert {"read", "write", "follow", "push", "profile", "read:statuses"} <= set(
        body["scopes_supported"]
    )


async def test_no_metadata_over_plain_http(client: httpx.AsyncClient) -> None:
    # Mastodon.py would refuse the http:// endpoints it lists; a 404 makes it use the defaults.
    response = await client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
