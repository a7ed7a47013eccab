"""CORS as Mastodon does it: any origin may call the API (no credentials), and no
other origin may read the cookie-signed web page."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import REDIS_URL, AppClient
from tests.factories import Factory
from tests.sql import statements
from tests.web.helpers import signed_in

ORIGIN = {"Origin": "https://client.example"}


def preflight(method: str, headers: str = "authorization") -> dict[str, str]:
    return {
        **ORIGIN,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/timelines/home", "GET"),
        ("/api/v1/statuses", "POST"),
        ("/api/v1/statuses/1", "DELETE"),
        ("/api/v1/accounts/update_credentials", "PATCH"),
        ("/api/v1/markers", "POST"),
        ("/oauth/token", "POST"),
        ("/oauth/revoke", "POST"),
        ("/.well-known/nodeinfo", "GET"),
        ("/nodeinfo/2.0", "GET"),
    ],
)
async def test_a_preflight_on_the_api_is_answered(
    client: httpx.AsyncClient, path: str, method: str
) -> None:
    response = await client.options(
        path,
        headers=preflight(method, "authorization,content-type,idempotency-key,x-requested-with"),
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    allowed = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert {"GET", "POST", "PUT", "PATCH", "DELETE"} <= allowed
    headers = response.headers["access-control-allow-headers"].lower()
    for header in ("authorization", "content-type", "idempotency-key", "x-requested-with"):
        assert header in headers


async def test_api_answers_any_origin_and_exposes_link_and_rate_limits(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    for path in ("/api/v1/instance", "/.well-known/nodeinfo", "/nodeinfo/2.0"):
        response = await client.get(path, headers=ORIGIN)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
    home = await client.get("/api/v1/timelines/home", headers={**ORIGIN, **alice.headers})
    assert home.headers["access-control-allow-origin"] == "*"
    exposed = home.headers["access-control-expose-headers"].lower()
    for header in ("link", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert header in exposed
    # Errors are readable too, so that a client can show them.
    denied = await client.get("/api/v1/timelines/home", headers=ORIGIN)
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == "*"
    token = await client.post("/oauth/token", data={"grant_type": "password"}, headers=ORIGIN)
    assert token.status_code == 401
    assert token.headers["access-control-allow-origin"] == "*"


async def test_the_web_page_gets_no_cors_headers(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    await factory.user("alice")
    csrf = await signed_in(client, "alice")
    for path in ("/", "/home", "/@alice", "/settings", "/login", "/oauth/authorize", "/web/x"):
        response = await client.get(path, headers=ORIGIN)
        assert "access-control-allow-origin" not in response.headers, path
        asked = await client.options(path, headers=preflight("POST"))
        assert "access-control-allow-origin" not in asked.headers, path
    form = await client.post(
        "/settings/profile", data={"display_name": "A", "csrf_token": csrf}, headers=ORIGIN
    )
    assert "access-control-allow-origin" not in form.headers


async def test_kept_home_pages_carry_cors_headers(factory: Factory, app_client: AppClient) -> None:
    alice = await factory.user("alice")
    headers = {**ORIGIN, **alice.headers}
    async with app_client(redis_url=REDIS_URL) as (http, runtime):
        first = await http.get("/api/v1/timelines/home", headers=headers)
        with statements(runtime) as seen:
            again = await http.get("/api/v1/timelines/home", headers=headers)
        assert seen == []  # answered from the kept page, before routing
        for response in (first, again):
            assert response.status_code == 200
            assert response.headers["access-control-allow-origin"] == "*"
            assert "link" in response.headers["access-control-expose-headers"].lower()
