"""Request bodies past the limit are refused with 413 before they are read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from sqlalchemy import select
from starlette.types import Receive, Scope, Send

from roost.core.limits import RequestLimits
from roost.oauth.models import OAuthApp
from roost.runtime import Runtime
from tests.conftest import AppClient

MIB = 1 << 20
CHUNK = 64 * 1024
TWENTY_MIB = 20 * MIB


class Body:
    """A 20 MiB JSON body sent in chunks, counting how much of it was taken."""

    def __init__(self) -> None:
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"client_name": "'
        while self.sent < TWENTY_MIB:
            self.sent += CHUNK
            yield b"a" * CHUNK
        yield b'", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}'


async def _apps(runtime: Runtime) -> int:
    async with runtime.db.read() as session:
        return len((await session.scalars(select(OAuthApp))).all())


async def test_a_declared_20_mib_body_is_refused_unread(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = Body()
    response = await client.post(
        "/api/v1/apps",
        content=body,
        headers={"Content-Type": "application/json", "Content-Length": str(TWENTY_MIB + 70)},
    )
    assert response.status_code == 413
    assert "larger than 1048576 bytes" in response.json()["error"]
    assert body.sent == 0
    assert await _apps(runtime) == 0


async def test_a_chunked_body_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    body = Body()
    response = await client.post(
        "/api/v1/apps", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and "error" in response.json()
    assert MIB <= body.sent <= MIB + 2 * CHUNK  # read to just past the limit, no further
    assert await _apps(runtime) == 0


async def test_a_form_past_the_limit_and_one_within(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    app = {"client_name": "x" * (MIB + 1), "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    assert (await client.post("/api/v1/apps", data=app)).status_code == 413
    app["client_name"] = "Small"
    assert (await client.post("/api/v1/apps", data=app)).status_code == 200
    assert await _apps(runtime) == 1


async def test_the_limit_is_a_setting(app_client: AppClient) -> None:
    async with app_client(max_body_bytes=100) as (http, _):
        app = {"client_name": "x" * 100, "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
        refused = await http.post("/api/v1/apps", json=app)
        assert refused.status_code == 413
        assert refused.json() == {"error": "Request body is larger than 100 bytes"}


async def _nothing(scope: Scope, receive: Receive, send: Send) -> None:
    pass


def test_a_path_prefix_may_have_its_own_limit() -> None:
    limits = RequestLimits(
        _nothing,
        max_body=MIB,
        by_prefix={"/api/v2/media": 16 * MIB, "/api/v2/media/small": 10},
    )
    assert limits.limit_for("/api/v1/statuses") == MIB
    assert limits.limit_for("/api/v2/media") == 16 * MIB
    assert limits.limit_for("/api/v2/media/small/x") == 10
