"""Preferences: stored per account, written through update_credentials' source[...],
read by GET /api/v1/preferences and the CredentialAccount, used by posting."""

from __future__ import annotations

import httpx

from tests.factories import Factory


async def test_source_sets_preferences_and_post_defaults(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    form = {"source[privacy]": "private", "source[sensitive]": "true", "source[language]": "de"}
    updated = await client.patch(
        "/api/v1/accounts/update_credentials", headers=alice.headers, data=form
    )
    assert updated.status_code == 200
    source = updated.json()["source"]
    assert (source["privacy"], source["sensitive"], source["language"]) == ("private", True, "de")

    preferences = (await client.get("/api/v1/preferences", headers=alice.headers)).json()
    assert preferences == {
        "posting:default:visibility": "private",
        "posting:default:sensitive": True,
        "posting:default:language": "de",
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }
    verified = await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)
    assert verified.json()["source"]["privacy"] == "private"

    # A post without its own visibility, sensitivity or language gets the defaults...
    plain = await client.post("/api/v1/statuses", headers=alice.headers, data={"status": "hi"})
    assert plain.status_code == 200
    body = plain.json()
    assert (body["visibility"], body["sensitive"], body["language"]) == ("private", True, "de")
    # ...and one that says otherwise keeps what it says.
    explicit = await client.post(
        "/api/v1/statuses",
        headers=alice.headers,
        json={"status": "hello", "visibility": "public", "sensitive": False, "language": "en"},
    )
    body = explicit.json()
    assert (body["visibility"], body["sensitive"], body["language"]) == ("public", False, "en")


async def test_json_source_and_clearing_the_language(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=alice.headers,
        json={"source": {"privacy": "unlisted", "language": "fr"}},
    )
    await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=alice.headers,
        json={"source": {"language": ""}},
    )
    preferences = (await client.get("/api/v1/preferences", headers=alice.headers)).json()
    assert preferences["posting:default:visibility"] == "unlisted"
    assert preferences["posting:default:language"] is None


async def test_invalid_source_changes_nothing(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    for form in (
        {"display_name": "Changed", "source[privacy]": "direct"},
        {"display_name": "Changed", "source[privacy]": "everyone"},
        {"display_name": "Changed", "source[language]": "not a language"},
    ):
        response = await client.patch(
            "/api/v1/accounts/update_credentials", headers=alice.headers, data=form
        )
        assert response.status_code == 422, form
        assert "error" in response.json()
    me = (await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)).json()
    assert me["display_name"] == "" and me["source"]["privacy"] == "public"
