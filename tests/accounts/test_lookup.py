import httpx
import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from roost.accounts.routes import router
from roost.runtime import Runtime
from tests.factories import Factory


async def test_show_an_account_to_anyone(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice", display_name="Alice")
    response = await client.get(f"/api/v1/accounts/{alice.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.id
    assert body["username"] == "alice" and body["acct"] == "alice"
    assert body["display_name"] == "Alice"
    assert "source" not in body
    bob = await factory.user("bob")
    assert (await client.get(f"/api/v1/accounts/{alice.id}", headers=bob.headers)).json() == body


@pytest.mark.parametrize("account_id", ["123", "abc", "9" * 19, "9" * 30, "-1"])
async def test_unknown_accounts_are_404(client: httpx.AsyncClient, account_id: str) -> None:
    response = await client.get(f"/api/v1/accounts/{account_id}")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


async def test_a_token_without_read_scope_cannot_show(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    write_only = await factory.token(alice, "write")
    response = await client.get(
        f"/api/v1/accounts/{alice.id}", headers={"Authorization": f"Bearer {write_only}"}
    )
    assert response.status_code == 403


def test_the_id_route_does_not_shadow_other_account_paths() -> None:
    paths = ["relationships", "search", "familiar_followers", "lookup", "verify_credentials"]
    show = next(
        r for r in router.routes if isinstance(r, APIRoute) and r.path.endswith("{account_id:int}")
    )
    for path in paths:
        scope = {"type": "http", "path": f"/api/v1/accounts/{path}", "method": "GET"}
        assert show.matches(scope)[0] is Match.NONE


@pytest.mark.parametrize("acct", ["bob", "@bob", "BOB", "bob@localhost", "@bob@LOCALHOST"])
async def test_lookup_local_accounts(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory, acct: str
) -> None:
    assert runtime.settings.domain == "localhost"
    bob = await factory.user("bob")
    response = await client.get("/api/v1/accounts/lookup", params={"acct": acct})
    assert response.status_code == 200
    assert response.json()["id"] == bob.id


@pytest.mark.parametrize(
    "acct", ["nobody", "bob@elsewhere.example", "@", "", "bob@", "bob@localhost@x"]
)
async def test_lookup_misses_are_404(
    client: httpx.AsyncClient, factory: Factory, acct: str
) -> None:
    await factory.user("bob")
    response = await client.get("/api/v1/accounts/lookup", params={"acct": acct})
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}


async def test_lookup_needs_acct(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/accounts/lookup")
    assert response.status_code == 400
    assert "acct" in response.json()["error"]
