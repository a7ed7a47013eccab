"""A cast for the admin API: one person per role, each with a token that carries the
admin scopes (so that only the role decides), and a way to sign up through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx
import pytest

from roost.core.settings import Settings
from tests.factories import Factory, User
from tests.oauth.support import App, app_token, bearer, register_app, with_overrides
from tests.web.helpers import token_for

ADMIN_SCOPES = "read write follow push admin:read admin:write"


@dataclass
class Cast:
    owner: User
    admin: User
    moderator: User
    user: User  # a plain user, whose token carries the admin scopes all the same


class SignUp(Protocol):
    """Sign up through ``POST /api/v1/accounts`` (any field can be overridden)."""

    async def __call__(self, username: str, **fields: str) -> httpx.Response: ...


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    return with_overrides(settings, request)


@pytest.fixture
async def cast(factory: Factory) -> Cast:
    return Cast(
        owner=await factory.user("olive", scopes=ADMIN_SCOPES, role="owner"),
        admin=await factory.user("ada", scopes=ADMIN_SCOPES, role="admin"),
        moderator=await factory.user("mo", scopes=ADMIN_SCOPES, role="moderator"),
        user=await factory.user("uma", scopes=ADMIN_SCOPES),
    )


@pytest.fixture
async def app(client: httpx.AsyncClient) -> App:
    return await register_app(client)


@pytest.fixture
async def sign_up(client: httpx.AsyncClient, app: App) -> SignUp:
    token = await app_token(client, app, "read write follow")

    async def make(username: str, **fields: str) -> httpx.Response:
        body = {
            "username": username,
            "email": f"{username}@example.com",
            "password": "a long enough password",
            "agreement": "true",
            **fields,
        }
        return await client.post("/api/v1/accounts", data=body, headers=bearer(token))

    return make


async def web_sign_up(client: httpx.AsyncClient, username: str, email: str) -> httpx.Response:
    """Sign up on the web page, as a person fills in its form."""
    form = {
        "username": username,
        "email": email,
        "password": "a long enough password",
        "agreement": "1",
        "csrf_token": await token_for(client, "/signup"),
    }
    return await client.post("/signup", data=form)
