import base64
import hashlib
import time

import httpx
import pytest
from sqlalchemy import select, update

from roost.accounts.models import Account
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from tests.factories import PASSWORD, Factory
from tests.oauth.support import App, bearer, count, password_token, register_app

NO_TOKENS_BUT_THE_FACTORY = 1  # factory.user() makes one token per user


async def test_password_grant_with_the_email(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    before = int(time.time())
    response = await password_token(
        client, app, "alice@example.com", PASSWORD, "read write follow push"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write follow push"
    assert isinstance(body["created_at"], int)
    assert before - 1 <= body["created_at"] <= int(time.time()) + 1
    assert response.headers["cache-control"] == "no-store"
    me = await client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"])
    )
    assert me.status_code == 200
    assert me.json()["username"] == "alice"


async def test_password_grant_accepts_the_username_in_any_case(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("Alice")
    response = await password_token(client, app, "ALICE", PASSWORD)
    assert response.status_code == 200
    assert response.json()["scope"] == "read"


async def test_password_grant_with_json_and_basic_client_auth(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    basic = base64.b64encode(f"{app.client_id}:{app.client_secret}".encode()).decode()
    response = await client.post(
        "/oauth/token",
        json={
            "grant_type": "password",
            "username": "alice@example.com",
            "password": PASSWORD,
            "scope": "read:statuses write:statuses",
        },
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read:statuses write:statuses"


async def test_tokens_are_stored_only_as_their_hash(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    token = (await password_token(client, app, "alice", PASSWORD)).json()["access_token"]
    async with runtime.db.read() as session:
        hashes = set((await session.scalars(select(AccessToken.token_hash))).all())
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("alice@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("alice@example.com", ""),
    ],
)
async def test_wrong_credentials_get_invalid_grant(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    app: App,
    username: str,
    password: str,
) -> None:
    await factory.user("alice")
    response = await password_token(client, app, username, password)
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_grant", "invalid_request"}
    assert response.json()["error_description"]
    assert await count(runtime, AccessToken) == NO_TOKENS_BUT_THE_FACTORY


async def test_password_grant_without_a_username_is_invalid_request(
    client: httpx.AsyncClient, app: App
) -> None:
    response = await client.post(
        "/oauth/token", data={"grant_type": "password", "password": "x", **app.credentials()}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_unapproved_accounts_cannot_get_a_token(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    await factory.user("pending", approved=False)
    response = await password_token(client, app, "pending", PASSWORD)
    assert response.status_code == 403
    assert response.json()["error"] == "access_denied"
    assert "approval" in response.json()["error_description"]
    assert await count(runtime, AccessToken) == NO_TOKENS_BUT_THE_FACTORY


@pytest.mark.parametrize(
    "credentials",
    [
        {"client_secret": "wrong"},
        {"client_id": "unknown"},
        {"client_secret": ""},
        {"client_id": ""},
    ],
)
async def test_bad_client_credentials_get_invalid_client(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    app: App,
    credentials: dict[str, str],
) -> None:
    await factory.user("alice")
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "username": "alice",
            "password": PASSWORD,
            **app.credentials(),
            **credentials,
        },
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert await count(runtime, AccessToken) == NO_TOKENS_BUT_THE_FACTORY


async def test_client_credentials_token_acts_for_no_one(
    client: httpx.AsyncClient, app: App
) -> None:
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "read write", **app.credentials()},
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    assert response.json()["scope"] == "read write"
    app_check = await client.get("/api/v1/apps/verify_credentials", headers=bearer(token))
    assert app_check.status_code == 200
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 422
    assert me.json()["error"] == "This method requires an authenticated user"


async def test_scope_defaults_to_read(client: httpx.AsyncClient, app: App) -> None:
    response = await client.post(
        "/oauth/token", data={"grant_type": "client_credentials", **app.credentials()}
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read"


@pytest.mark.parametrize("scope", ["read write", "admin:read", "read nonsense"])
async def test_scopes_beyond_the_app_are_invalid_scope(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, scope: str
) -> None:
    await factory.user("alice")
    narrow = await register_app(client, scopes="read")
    for grant in ("client_credentials", "password"):
        response = await client.post(
            "/oauth/token",
            data={
                "grant_type": grant,
                "username": "alice",
                "password": PASSWORD,
                "scope": scope,
                **narrow.credentials(),
            },
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"
    assert await count(runtime, AccessToken) == NO_TOKENS_BUT_THE_FACTORY


async def test_sub_scopes_of_registered_scopes_are_allowed(client: httpx.AsyncClient) -> None:
    narrow = await register_app(client, scopes="read")
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "scope": "read:accounts+read:statuses",
            **narrow.credentials(),
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "read:accounts read:statuses"


@pytest.mark.parametrize(
    ("grant", "error"),
    [
        (None, "invalid_request"),
        ("refresh_token", "unsupported_grant_type"),
        ("implicit", "unsupported_grant_type"),
    ],
)
async def test_missing_or_unsupported_grant_types(
    client: httpx.AsyncClient, app: App, grant: str | None, error: str
) -> None:
    data = {**app.credentials(), **({"grant_type": grant} if grant else {})}
    response = await client.post("/oauth/token", data=data)
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"]


async def test_a_non_string_parameter_is_invalid_request(
    client: httpx.AsyncClient, app: App
) -> None:
    response = await client.post(
        "/oauth/token", json={"grant_type": ["password"], **app.credentials()}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_an_account_approved_later_can_sign_in(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, app: App
) -> None:
    pending = await factory.user("pending", approved=False)
    assert (await password_token(client, app, "pending", PASSWORD)).status_code == 403
    async with runtime.db.write() as session:
        await session.execute(
            update(Account).where(Account.id == pending.account.id).values(approved=True)
        )
        await session.commit()
    assert (await password_token(client, app, "pending", PASSWORD)).status_code == 200


@pytest.mark.parametrize("settings", [{"rate_limits": True}], indirect=True)
async def test_password_grant_is_rate_limited(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    await factory.user("alice")
    for _ in range(10):
        assert (await password_token(client, app, "alice", "guess")).status_code == 400
    limited = await password_token(client, app, "alice", PASSWORD)
    assert limited.status_code == 429
    assert "error" in limited.json()
    # The limit counts per login: guessing at alice does not lock bob out.
    await factory.user("bob")
    assert (await password_token(client, app, "bob", PASSWORD)).status_code == 200
