import httpx
import pytest
from sqlalchemy import select

from roost.accounts.models import Account
from roost.runtime import Runtime
from tests.factories import Factory
from tests.oauth.support import App, app_token, bearer

ME = "/api/v1/accounts/verify_credentials"
UPDATE = "/api/v1/accounts/update_credentials"


async def stored(runtime: Runtime, username: str) -> Account:
    async with runtime.db.read() as session:
        account = await session.scalar(select(Account).where(Account.username_lower == username))
    assert account is not None
    return account


async def test_verify_credentials_returns_the_credential_account(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice", note="typed", note_html="<p>typed</p>")
    response = await client.get(ME, headers=alice.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.id
    assert body["username"] == "alice"
    assert body["note"] == "<p>typed</p>"
    assert body["source"]["note"] == "typed"
    assert body["created_at"].endswith("Z")
    assert body["avatar"].startswith("http://localhost/avatars/")
    assert body["avatar"].endswith(".png")


@pytest.mark.parametrize("scopes", ["read", "read:accounts", "profile"])
async def test_verify_credentials_accepts_profile_or_read_accounts(
    client: httpx.AsyncClient, factory: Factory, scopes: str
) -> None:
    alice = await factory.user("alice")
    token = await factory.token(alice, scopes)
    assert (await client.get(ME, headers=bearer(token))).status_code == 200


async def test_verify_credentials_refusals(
    client: httpx.AsyncClient, factory: Factory, app: App
) -> None:
    alice = await factory.user("alice")
    assert (await client.get(ME)).status_code == 401
    write_only = await factory.token(alice, "write")
    assert (await client.get(ME, headers=bearer(write_only))).status_code == 403
    statuses_only = await factory.token(alice, "read:statuses")
    assert (await client.get(ME, headers=bearer(statuses_only))).status_code == 403
    no_person = await app_token(client, app, "read")
    assert (await client.get(ME, headers=bearer(no_person))).status_code == 422


async def test_update_profile_with_a_form(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await client.patch(
        UPDATE,
        headers=alice.headers,
        data={
            "display_name": "Alice A.",
            "note": "Hello <b>world</b> & friends\n\nSecond paragraph\nnext line https://example.com",
            "locked": "1",
            "bot": "True",
            "discoverable": "false",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Alice A."
    assert body["locked"] is True and body["bot"] is True and body["discoverable"] is False
    assert body["note"].startswith("<p>Hello &lt;b&gt;world&lt;/b&gt; &amp; friends</p><p>")
    assert "<br>" in body["note"]
    assert 'href="https://example.com"' in body["note"]
    assert body["source"]["note"].startswith("Hello <b>world</b>")
    account = await stored(runtime, "alice")
    assert account.display_name == "Alice A." and account.locked and account.bot
    assert not account.discoverable
    assert "<b>" not in account.note_html


async def test_update_with_json_changes_only_what_is_sent(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice", display_name="Alice", bot=True)
    response = await client.patch(UPDATE, headers=alice.headers, json={"locked": True})
    assert response.status_code == 200
    account = await stored(runtime, "alice")
    assert account.locked and account.bot and account.display_name == "Alice"


async def test_bio_mentions_link_local_accounts(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    response = await client.patch(
        UPDATE, headers=alice.headers, data={"note": "Friends with @bob and @nobody"}
    )
    note = response.json()["note"]
    assert 'class="u-url mention"' in note and "/@bob" in note
    assert "@nobody" in note and "/@nobody" not in note


async def test_clearing_the_note(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice", note="old", note_html="<p>old</p>")
    response = await client.patch(UPDATE, headers=alice.headers, data={"note": ""})
    assert response.json()["note"] == ""
    assert response.json()["source"]["note"] == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"display_name": "x" * 31}, "display_name"),
        ({"note": "x" * 501}, "note"),
    ],
)
async def test_too_long_fields_are_refused_and_nothing_changes(
    client: httpx.AsyncClient,
    runtime: Runtime,
    factory: Factory,
    fields: dict[str, str],
    field: str,
) -> None:
    alice = await factory.user("alice", display_name="Alice")
    response = await client.patch(UPDATE, headers=alice.headers, data={**fields, "locked": "true"})
    assert response.status_code == 422
    assert response.json()["details"][field][0]["error"] == "ERR_TOO_LONG"
    account = await stored(runtime, "alice")
    assert account.display_name == "Alice" and not account.locked


async def test_a_bad_boolean_is_a_422(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    response = await client.patch(
        UPDATE, headers=alice.headers, data={"locked": "perhaps", "display_name": "New"}
    )
    assert response.status_code == 422
    assert "error" in response.json()
    assert (await stored(runtime, "alice")).display_name == ""


async def test_update_needs_write_accounts(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    read_only = await factory.token(alice, "read")
    assert (await client.patch(UPDATE, data={"display_name": "X"})).status_code == 401
    response = await client.patch(UPDATE, headers=bearer(read_only), data={"display_name": "X"})
    assert response.status_code == 403
    assert (await stored(runtime, "alice")).display_name == ""
    scoped = await factory.token(alice, "write:accounts")
    ok = await client.patch(UPDATE, headers=bearer(scoped), data={"display_name": "X"})
    assert ok.status_code == 200
