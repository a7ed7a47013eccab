"""/openapi.json describes what routes read (through params()) and what they answer,
and the entity models it names match what the API really sends."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel

from roost.accounts.schemas import Account, CredentialAccount
from roost.core.inputs import MAX_ID
from roost.follows.schemas import Relationship
from roost.instance.schemas import Instance, InstanceV1
from roost.markers.schemas import Marker
from roost.notifications.schemas import Notification
from roost.oauth.schemas import Application, Token
from roost.runtime import Runtime
from roost.search.schemas import SearchResults, Tag
from roost.statuses.schemas import Context, Status
from tests.factories import Factory


def _query(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def _answer(operation: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


async def test_parameters_bodies_and_answers_are_declared(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    search = _query(paths["/api/v2/search"]["get"])
    assert search["q"]["required"] is True and search["q"]["schema"]["type"] == "string"
    offset = search["offset"]["schema"]["anyOf"]
    assert {"type": "integer", "minimum": 0, "maximum": MAX_ID} in offset
    assert _answer(paths["/api/v2/search"]["get"]) == {"$ref": "#/components/schemas/SearchResults"}

    home = _query(paths["/api/v1/timelines/home"]["get"])
    assert {"max_id", "since_id", "min_id", "limit"} <= set(home)
    assert _answer(paths["/api/v1/timelines/home"]["get"])["items"] == {
        "$ref": "#/components/schemas/Status"
    }
    relationships = _query(paths["/api/v1/accounts/relationships"]["get"])["id[]"]
    assert relationships["schema"]["type"] == "array" and relationships["explode"] is True
    notifications = _query(paths["/api/v1/notifications"]["get"])
    assert {"types[]", "exclude_types[]", "account_id", "max_id"} <= set(notifications)

    post = paths["/api/v1/statuses"]["post"]["requestBody"]["content"]
    assert post["application/json"]["schema"] == {"$ref": "#/components/schemas/PostStatusIn"}
    form = post["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert {"status", "in_reply_to_id", "visibility", "media_ids[]"} <= set(form)
    token = paths["/oauth/token"]["post"]["requestBody"]["content"]
    assert "grant_type" in token["application/x-www-form-urlencoded"]["schema"]["properties"]
    markers = paths["/api/v1/markers"]["post"]["requestBody"]["content"]
    assert (
        "home[last_read_id]" in markers["application/x-www-form-urlencoded"]["schema"]["properties"]
    )

    status_id = paths["/api/v1/statuses/{status_id}"]["get"]["parameters"][0]
    assert status_id["schema"]["pattern"] == "^[0-9]{1,19}$"
    refused = paths["/api/v1/statuses/{status_id}"]["get"]["responses"]["4XX"]
    assert refused["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]


def _matches(model: type[BaseModel], body: dict[str, Any]) -> None:
    """The model names exactly the keys sent, and validates what is sent."""
    assert set(body) <= set(model.model_fields), set(body) - set(model.model_fields)
    required = {name for name, field in model.model_fields.items() if field.is_required()}
    assert required <= set(body), required - set(body)
    model.model_validate(body)


async def test_the_entities_described_are_the_ones_sent(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    followed = await client.post(f"/api/v1/accounts/{alice.id}/follow", headers=bob.headers)
    _matches(Relationship, followed.json())
    root = await client.post(
        "/api/v1/statuses", json={"status": "hello @bob #tea"}, headers=alice.headers
    )
    _matches(Status, root.json())
    reply = await client.post(
        "/api/v1/statuses",
        json={"status": "@alice hi", "in_reply_to_id": root.json()["id"]},
        headers=bob.headers,
    )
    boost = await client.post(f"/api/v1/statuses/{root.json()['id']}/reblog", headers=bob.headers)
    _matches(Status, boost.json())
    await runtime.jobs.drain()
    context = await client.get(f"/api/v1/statuses/{reply.json()['id']}/context")
    _matches(Context, context.json())
    _matches(Account, (await client.get(f"/api/v1/accounts/{alice.id}")).json())
    me = await client.get("/api/v1/accounts/verify_credentials", headers=alice.headers)
    _matches(CredentialAccount, me.json())
    for note in (await client.get("/api/v1/notifications", headers=alice.headers)).json():
        _matches(Notification, note)
    app = await client.post(
        "/api/v1/apps", json={"client_name": "A", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    )
    _matches(Application, app.json())
    granted = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.json()["client_id"],
            "client_secret": app.json()["client_secret"],
        },
    )
    _matches(Token, granted.json())
    _matches(InstanceV1, (await client.get("/api/v1/instance")).json())
    _matches(Instance, (await client.get("/api/v2/instance")).json())
    _matches(Tag, (await client.get("/api/v1/tags/tea")).json())
    found = await client.get("/api/v2/search", params={"q": "tea"}, headers=alice.headers)
    _matches(SearchResults, found.json())
    saved = await client.post(
        "/api/v1/markers", json={"home": {"last_read_id": "5"}}, headers=alice.headers
    )
    _matches(Marker, saved.json()["home"])
