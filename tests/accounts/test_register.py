import httpx
import pytest
from sqlalchemy import select

from roost.accounts.models import Account
from roost.core.security import verify_password
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from tests.factories import Factory
from tests.oauth.support import App, app_token, bearer, count, password_token

GOOD = {
    "username": "carol",
    "email": "Carol@Example.com",
    "password": "a long enough password",
    "agreement": "true",
    "locale": "en",
}


def body_with(fields: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in {**GOOD, **fields}.items() if value is not None}


async def register(client: httpx.AsyncClient, token: str, **fields: object) -> httpx.Response:
    """Sign up with a form, like Mastodon.py; ``None`` leaves a field out."""
    return await client.post("/api/v1/accounts", data=body_with(fields), headers=bearer(token))


@pytest.fixture
async def token(client: httpx.AsyncClient, app: App) -> str:
    return await app_token(client, app, "read write follow")


async def test_open_registration_returns_a_working_token(
    client: httpx.AsyncClient, runtime: Runtime, token: str
) -> None:
    response = await register(client, token)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read write follow"  # the app token's scopes
    assert isinstance(body["created_at"], int)
    me = await client.get(
        "/api/v1/accounts/verify_credentials", headers=bearer(body["access_token"])
    )
    assert me.status_code == 200
    assert me.json()["username"] == "carol"
    assert me.json()["acct"] == "carol"
    async with runtime.db.read() as session:
        account = await session.scalar(select(Account).where(Account.username_lower == "carol"))
    assert account is not None
    assert account.email == "carol@example.com"
    assert account.approved
    assert account.password_hash.startswith("$argon2id$")
    assert verify_password(account.password_hash, GOOD["password"])


async def test_registration_with_json_like_toot(
    client: httpx.AsyncClient, app: App, token: str
) -> None:
    response = await client.post(
        "/api/v1/accounts", json=body_with({"agreement": True}), headers=bearer(token)
    )
    assert response.status_code == 200
    signed_in = await password_token(client, app, "carol@example.com", GOOD["password"])
    assert signed_in.status_code == 200


@pytest.mark.parametrize("agreement", ["1", "True", "true"])
async def test_agreement_accepts_the_usual_booleans(
    client: httpx.AsyncClient, token: str, agreement: str
) -> None:
    assert (await register(client, token, agreement=agreement)).status_code == 200


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"username": None}, "username", "ERR_BLANK"),
        ({"username": ""}, "username", "ERR_BLANK"),
        ({"username": "x" * 31}, "username", "ERR_TOO_LONG"),
        ({"username": "no-dashes"}, "username", "ERR_INVALID"),
        ({"username": "émile"}, "username", "ERR_INVALID"),
        ({"username": "Admin"}, "username", "ERR_RESERVED"),
        ({"username": "roost"}, "username", "ERR_RESERVED"),
        ({"email": None}, "email", "ERR_BLANK"),
        ({"email": "not-an-email"}, "email", "ERR_INVALID"),
        ({"email": "a@b"}, "email", "ERR_INVALID"),
        ({"email": "a b@example.com"}, "email", "ERR_INVALID"),
        ({"password": None}, "password", "ERR_BLANK"),
        ({"password": "short"}, "password", "ERR_TOO_SHORT"),
        ({"password": "x" * 73}, "password", "ERR_TOO_LONG"),
        ({"agreement": None}, "agreement", "ERR_ACCEPTED"),
        ({"agreement": "false"}, "agreement", "ERR_ACCEPTED"),
        ({"locale": "not a locale"}, "locale", "ERR_INCLUSION"),
    ],
)
async def test_invalid_registrations_get_mastodon_shaped_errors(
    client: httpx.AsyncClient,
    runtime: Runtime,
    token: str,
    fields: dict[str, object],
    field: str,
    code: str,
) -> None:
    response = await register(client, token, **fields)
    assert response.status_code == 422
    body = response.json()
    assert body["error"].startswith("Validation failed: ")
    assert [item["error"] for item in body["details"][field]] == [code]
    assert all(item["description"] for item in body["details"][field])
    assert set(body["details"]) == {field}
    assert await count(runtime, Account) == 0


async def test_every_problem_is_reported_at_once(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, token: str
) -> None:
    await factory.user("carol")
    response = await register(
        client, token, username="CAROL", email="bad", password="short", agreement=None
    )
    assert response.status_code == 422
    details = response.json()["details"]
    assert details["username"][0]["error"] == "ERR_TAKEN"
    assert details["email"][0]["error"] == "ERR_INVALID"
    assert details["password"][0]["error"] == "ERR_TOO_SHORT"
    assert details["agreement"][0]["error"] == "ERR_ACCEPTED"
    assert "Username has already been taken" in response.json()["error"]
    assert await count(runtime, Account) == 1


async def test_usernames_are_unique_regardless_of_case(
    client: httpx.AsyncClient, runtime: Runtime, token: str
) -> None:
    assert (await register(client, token)).status_code == 200
    response = await register(client, token, username="CaRoL", email="other@example.com")
    assert response.status_code == 422
    assert response.json()["details"]["username"][0]["error"] == "ERR_TAKEN"
    assert await count(runtime, Account) == 1


async def test_emails_are_unique_regardless_of_case(
    client: httpx.AsyncClient, runtime: Runtime, token: str
) -> None:
    assert (await register(client, token)).status_code == 200
    response = await register(client, token, username="carol2", email="CAROL@example.COM")
    assert response.status_code == 422
    assert response.json()["details"]["email"][0]["error"] == "ERR_TAKEN"
    assert await count(runtime, Account) == 1


async def test_registration_needs_a_token_with_write_accounts(
    client: httpx.AsyncClient, runtime: Runtime, app: App
) -> None:
    no_token = await client.post("/api/v1/accounts", data=GOOD)
    assert no_token.status_code == 401
    read_only = await app_token(client, app, "read")
    response = await register(client, read_only)
    assert response.status_code == 403
    assert "error" in response.json()
    revoked_check = await register(client, "made-up-token")
    assert revoked_check.status_code == 401
    assert await count(runtime, Account) == 0


async def test_a_write_accounts_token_is_enough(client: httpx.AsyncClient, app: App) -> None:
    token = await app_token(client, app, "write:accounts")
    response = await register(client, token)
    assert response.status_code == 200
    assert response.json()["scope"] == "write:accounts"


@pytest.mark.parametrize("settings", [{"registrations": "approval"}], indirect=True)
async def test_approval_mode_creates_an_account_that_waits(
    client: httpx.AsyncClient, runtime: Runtime, app: App, token: str
) -> None:
    response = await register(client, token, reason="I would like to join")
    assert response.status_code == 200
    pending_token = response.json()["access_token"]
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(pending_token))
    assert me.status_code == 403
    assert "pending approval" in me.json()["error"]
    async with runtime.db.read() as session:
        account = await session.scalar(select(Account).where(Account.username_lower == "carol"))
    assert account is not None and not account.approved
    login = await password_token(client, app, "carol", GOOD["password"])
    assert login.status_code == 403
    # Nobody else can see the account yet either.
    assert (await client.get(f"/api/v1/accounts/{account.id}")).status_code == 404
    assert (await client.get("/api/v1/accounts/lookup?acct=carol")).status_code == 404


@pytest.mark.parametrize("settings", [{"registrations": "closed"}], indirect=True)
async def test_closed_registrations_refuse_and_write_nothing(
    client: httpx.AsyncClient, runtime: Runtime, token: str
) -> None:
    tokens_before = await count(runtime, AccessToken)
    response = await register(client, token)
    assert response.status_code == 403
    assert "closed" in response.json()["error"]
    assert await count(runtime, Account) == 0
    assert await count(runtime, AccessToken) == tokens_before


@pytest.mark.parametrize("settings", [{"rate_limits": True}], indirect=True)
async def test_registration_is_rate_limited_by_ip(
    client: httpx.AsyncClient, runtime: Runtime, token: str
) -> None:
    for attempt in range(5):
        response = await register(client, token, username=f"user{attempt}", email=f"u{attempt}@e.x")
        assert response.status_code == 200
    limited = await register(client, token, username="one_more", email="more@e.x")
    assert limited.status_code == 429
    assert "error" in limited.json()
    assert await count(runtime, Account) == 5
