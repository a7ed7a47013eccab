"""Streams end when their access is taken away: a revoked token, a changed password.

Each test runs on both buses: in-process, and Redis pub/sub (where the ``kill``
travels through Redis, as it does between API processes). The streams are held
open by the server on a real socket; the revocation goes through the API.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from roost.core.db import commit, utcnow
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.streaming import routes
from roost.streaming.ending import end_streams
from roost.streaming.publish import publish_home_update
from roost.streaming.render import StreamState
from tests.factories import PASSWORD, Factory, User
from tests.oauth.support import App, bearer, password_token, register_app
from tests.streaming.helpers import WAIT, SSEStream, ws_next, ws_send, ws_sync
from tests.streaming.test_sse import post
from tests.streaming.test_websocket import ws_url
from tests.web.helpers import signed_in

NEW_PASSWORD = "a brand new passphrase"


@asynccontextmanager
async def sse(server: str, token: str) -> AsyncIterator[tuple[SSEStream, asyncio.Task[None]]]:
    """A user stream; yields it and the task reading it, which finishes when it ends."""
    async with (
        httpx.AsyncClient(base_url=server, timeout=httpx.Timeout(WAIT, read=None)) as http,
        http.stream("GET", "/api/v1/streaming/user", headers=bearer(token)) as response,
    ):
        assert response.status_code == 200
        stream = SSEStream(response)
        reader = asyncio.get_running_loop().create_task(stream.read())
        try:
            assert await asyncio.wait_for(stream.comments.get(), WAIT) == ":)"
            yield stream, reader
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


@asynccontextmanager
async def websocket(server: str, token: str) -> AsyncIterator[ClientConnection]:
    async with connect(ws_url(server, f"access_token={token}")) as ws:
        await ws_send(ws, type="subscribe", stream="user")
        await ws_sync(ws)
        yield ws


async def ended(reader: asyncio.Task[None]) -> bool:
    """Whether the server finished the SSE response within the wait."""
    done, _ = await asyncio.wait({reader}, timeout=WAIT)
    return reader in done


async def closed_code(ws: ClientConnection) -> int | None:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), WAIT)
    return closed.value.rcvd.code if closed.value.rcvd else None


async def still_delivers(
    client: httpx.AsyncClient, runtime: Runtime, user: User, stream: SSEStream, text: str
) -> None:
    status_id = await post(client, user, text)
    await publish_home_update(runtime, [user.account.id], status_id)
    assert (await stream.next_update())["id"] == str(status_id)


async def two_tokens(client: httpx.AsyncClient, factory: Factory) -> tuple[App, User, str, str]:
    alice = await factory.user("alice")
    app = await register_app(client)
    tokens = []
    for _ in range(2):
        response = await password_token(client, app, "alice", PASSWORD, scope="read write")
        tokens.append(response.json()["access_token"])
    return app, alice, tokens[0], tokens[1]


async def test_revoking_a_token_ends_its_sse_stream_and_only_its(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    app, alice, phone, laptop = await two_tokens(client, factory)
    async with sse(server, phone) as (_, phone_reader), sse(server, laptop) as (kept, _):
        revoked = await client.post("/oauth/revoke", data={"token": phone, **app.credentials()})
        assert revoked.status_code == 200
        assert await ended(phone_reader)
        # The same person's other token keeps its stream, and it still delivers.
        await still_delivers(client, runtime, alice, kept, "for the laptop")


async def test_revoking_a_token_closes_its_websocket_and_only_its(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    app, alice, phone, laptop = await two_tokens(client, factory)
    async with websocket(server, phone) as phone_ws, websocket(server, laptop) as laptop_ws:
        revoked = await client.post("/oauth/revoke", data={"token": phone, **app.credentials()})
        assert revoked.status_code == 200
        assert await closed_code(phone_ws) == 1000
        status_id = await post(client, alice, "for the laptop")
        await publish_home_update(runtime, [alice.account.id], status_id)
        frame = await ws_next(laptop_ws)
        assert (frame["stream"], frame["event"]) == (["user"], "update")


async def test_revoking_an_app_in_the_settings_ends_its_streams(
    server: str, client: httpx.AsyncClient, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    async with sse(server, alice.token) as (_, reader), websocket(server, alice.token) as ws:
        csrf = await signed_in(client, "alice")
        revoked = await client.post(
            f"/settings/apps/{await factory.app()}/revoke", data={"csrf_token": csrf}
        )
        assert revoked.status_code == 303
        assert await ended(reader)
        assert await closed_code(ws) == 1000


async def test_a_password_change_ends_every_stream_and_token_of_the_account(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    other = await factory.token(alice, "read write")
    async with (
        sse(server, alice.token) as (_, sse_reader),
        websocket(server, other) as ws,
        sse(server, bob.token) as (bobs, _),
    ):
        csrf = await signed_in(client, "alice")
        changed = await client.post(
            "/settings/password",
            data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf_token": csrf},
        )
        assert changed.status_code == 200
        assert await ended(sse_reader)
        assert await closed_code(ws) == 1000
        await still_delivers(client, runtime, bob, bobs, "someone else's stream lives on")
    for token in (alice.token, other):
        me = await client.get("/api/v1/accounts/verify_credentials", headers=bearer(token))
        assert me.status_code == 401
        stream = await client.get("/api/v1/streaming/user", headers=bearer(token))
        assert stream.status_code == 401


async def test_ending_an_accounts_streams_ends_them(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    """The verb a moderation feature will call, on an account: its streams end."""
    alice = await factory.user("alice")
    async with sse(server, alice.token) as (_, reader), websocket(server, alice.token) as ws:
        async with runtime.db.write() as session:
            end_streams(session=session, runtime=runtime, account_ids=[alice.account.id])
            await commit(session)
        assert await ended(reader)
        assert await closed_code(ws) == 1000


async def test_a_revoke_landing_while_a_stream_opens_is_not_missed(
    server: str,
    runtime: Runtime,
    factory: Factory,
    bus_kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The token is revoked after the stream checked it but before it listens for a
    kill (no kill is published here): the stream looks again once subscribed."""
    alice = await factory.user("alice")
    opening = routes.start_stream

    async def revoked_meanwhile(**arguments: Any) -> StreamState:
        state = await opening(**arguments)
        async with runtime.db.write() as session:
            await session.execute(
                update(AccessToken)
                .where(AccessToken.id == arguments["viewer"].token.id)
                .values(revoked_at=utcnow())
            )
            await session.commit()
        return state

    monkeypatch.setattr(routes, "start_stream", revoked_meanwhile)
    async with httpx.AsyncClient(base_url=server, timeout=WAIT) as http:
        response = await http.get("/api/v1/streaming/user", headers=alice.headers)
        assert response.text == ""  # ended before its first line
    other = await factory.token(alice, "read")
    async with connect(ws_url(server, f"stream=user&access_token={other}")) as ws:
        assert await closed_code(ws) == 1000
