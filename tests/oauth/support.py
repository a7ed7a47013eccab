"""Helpers for OAuth tests: register apps through the API, read forms like a browser."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select

from roost.core.settings import Settings
from roost.runtime import Runtime
from tests.factories import PASSWORD

OOB = "urn:ietf:wg:oauth:2.0:oob"
CALLBACK = "https://app.example/callback"


@dataclass
class App:
    id: str
    client_id: str
    client_secret: str
    entity: dict[str, Any]

    def credentials(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}


async def register_app(
    client: httpx.AsyncClient,
    *,
    scopes: str = "read write follow push",
    redirect_uris: str = f"{OOB}\n{CALLBACK}",
    name: str = "Test client",
) -> App:
    response = await client.post(
        "/api/v1/apps",
        data={"client_name": name, "redirect_uris": redirect_uris, "scopes": scopes},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return App(body["id"], body["client_id"], body["client_secret"], body)


async def app_token(client: httpx.AsyncClient, app: App, scope: str = "read write") -> str:
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": scope, **app.credentials()},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def password_token(
    client: httpx.AsyncClient, app: App, username: str, password: str, scope: str = "read"
) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "username": username,
            "password": password,
            "scope": scope,
            **app.credentials(),
        },
    )


@dataclass(frozen=True)
class Person:
    """Someone signed up over HTTP: their account id, username and token."""

    id: str
    username: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def sign_up_over_api(client: httpx.AsyncClient, username: str, password: str) -> Person:
    """An account made as an app makes one: app, app token, sign-up."""
    app = await register_app(client, scopes="read write follow", redirect_uris=OOB)
    made = await client.post(
        "/api/v1/accounts",
        headers=bearer(await app_token(client, app, "read write follow")),
        data={
            "username": username,
            "email": f"{username}@example.com",
            "password": password,
            "agreement": "true",
            "locale": "en",
        },
    )
    assert made.status_code == 200, made.text
    token: str = made.json()["access_token"]
    me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
    assert me.status_code == 200, me.text
    return Person(id=me.json()["id"], username=username, token=token)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def count(runtime: Runtime, model: Any) -> int:
    async with runtime.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


class FormReader(HTMLParser):
    """Collects the inputs of the page's forms, and elements' text by id."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.labels: dict[str, str] = {}
        self.buttons: list[dict[str, str]] = []
        self.texts: dict[str, str] = {}
        self._open_label: str | None = None
        self._open_id: str | None = None
        self.form_action: str | None = None
        self.form_method: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.form_action = attributes.get("action")
            self.form_method = attributes.get("method")
        elif tag == "input":
            self.inputs.append(attributes)
        elif tag == "button":
            self.buttons.append(attributes)
        elif tag == "label":
            self._open_label = attributes.get("for", "")
            self.labels[self._open_label] = ""
        if "id" in attributes and tag != "input":
            self._open_id = attributes["id"]
            self.texts[self._open_id] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._open_label = None
        self._open_id = None

    def handle_data(self, data: str) -> None:
        if self._open_label is not None:
            self.labels[self._open_label] += data
        if self._open_id is not None:
            self.texts[self._open_id] += data

    def hidden(self) -> dict[str, str]:
        return {i["name"]: i.get("value", "") for i in self.inputs if i.get("type") == "hidden"}


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


async def open_form(client: httpx.AsyncClient, app: App, **query: str) -> dict[str, str]:
    """GET the page like a browser and return the fields its form would post."""
    params = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": OOB,
        "scope": "read write",
        **query,
    }
    page = await client.get("/oauth/authorize?" + urlencode(params))
    assert page.status_code == 200, page.text
    return read_form(page.text).hidden()


async def submit(
    client: httpx.AsyncClient,
    fields: dict[str, str],
    *,
    decision: str = "approve",
    email: str = "alice@example.com",
    password: str = PASSWORD,
) -> httpx.Response:
    return await client.post(
        "/oauth/authorize",
        data={**fields, "email": email, "password": password, "decision": decision},
    )


def with_overrides(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """``@pytest.mark.parametrize("settings", [{...}], indirect=True)`` changes settings."""
    overrides = getattr(request, "param", None) or {}
    return settings.model_copy(update=overrides)
