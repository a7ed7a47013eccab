"""Server-sent event streams: auth and bad input, the wire format, what each stream carries."""

from __future__ import annotations

import httpx
import pytest

from roost.core.ids import new_id
from roost.core.security import new_token, token_digest
from roost.oauth.models import AccessToken
from roost.runtime import Runtime
from roost.streaming.publish import (
    publish_delete,
    publish_home_update,
    publish_notification,
    publish_public,
)
from tests.factories import Factory, User
from tests.streaming.helpers import open_sse


async def post(client: httpx.AsyncClient, author: User, text: str, **fields: object) -> int:
    response = await client.post(
        "/api/v1/statuses", json={"status": text, **fields}, headers=author.headers
    )
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


async def app_token(factory: Factory) -> str:
    """A client_credentials-style token: an app acting for nobody."""
    token = new_token()
    async with factory.runtime.db.write() as session:
        session.add(
            AccessToken(
                id=new_id(),
                token_hash=token_digest(token),
                app_id=await factory.app(),
                account_id=None,
                scopes="read",
            )
        )
        await session.commit()
    return token


async def test_health_says_ok(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/streaming/health")
    assert response.status_code == 200
    assert response.text == "OK"
    assert response.headers["content-type"].startswith("text/plain")
    assert (await client.get("/api/v1/streaming/health/")).text == "OK"


@pytest.mark.parametrize(
    ("path", "params", "status", "error"),
    [
        ("/api/v1/streaming/user", {}, 401, "Missing access token"),
        ("/api/v1/streaming/user/notification", {}, 401, "Missing access token"),
        ("/api/v1/streaming", {"stream": "user"}, 401, "Missing access token"),
        ("/api/v1/streaming", {}, 400, "Unknown stream type"),
        ("/api/v1/streaming", {"stream": "everything"}, 400, "Unknown stream type"),
        ("/api/v1/streaming/hashtag", {}, 400, "No tag for stream provided"),
        ("/api/v1/streaming/hashtag/local", {"tag": "#"}, 400, "No tag for stream provided"),
        ("/api/v1/streaming/hashtag", {"tag": "two words"}, 400, "Invalid tag"),
        ("/api/v1/streaming/hashtag", {"tag": "x" * 101}, 400, "Invalid tag"),
        ("/api/v1/streaming/everything", {}, 404, "Record not found"),
        ("/api/v1/streaming/public", {"only_media": "maybe"}, 422, None),
    ],
)
async def test_bad_requests_get_a_json_error(
    client: httpx.AsyncClient, path: str, params: dict[str, str], status: int, error: str | None
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    if error is not None:
        assert response.json()["error"] == error


async def test_tokens_are_checked(client: httpx.AsyncClient, factory: Factory) -> None:
    writer = await factory.user("writer", scopes="write")
    reader = await factory.user("reader", scopes="read:statuses")
    bad = {"Authorization": "Bearer not-a-token"}
    for path in ("/api/v1/streaming/user", "/api/v1/streaming/public"):
        response = await client.get(path, headers=bad)
        assert response.status_code == 401
        assert response.json() == {"error": "The access token is invalid"}
        response = await client.get(path, params={"access_token": "not-a-token"})
        assert response.status_code == 401
        response = await client.get(path, headers=writer.headers)
        assert response.status_code == 403
        assert "error" in response.json()
    response = await client.get("/api/v1/streaming/user/notification", headers=reader.headers)
    assert response.status_code == 403
    response = await client.get(
        "/api/v1/streaming/user", headers={"Authorization": f"Bearer {await app_token(factory)}"}
    )
    assert response.status_code == 422
    assert response.json() == {"error": "This method requires an authenticated user"}


async def test_user_stream_sends_home_updates_in_mastodon_format(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    async with open_sse(server, "/api/v1/streaming/user", alice) as stream:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        status_id = await post(client, alice, "hello stream")
        await runtime.jobs.drain()
        await publish_home_update(runtime, [alice.account.id], status_id)
        status = await stream.next_update()
        assert status["id"] == str(status_id)
        assert status["content"] == "<p>hello stream</p>"
        assert status["account"]["username"] == "alice"
        # On the wire: "event: update", then one "data: {json}" line, then a blank line.
        at = stream.lines.index("event: update")
        assert stream.lines[at + 1].startswith('data: {"id":"')
        assert stream.lines[at + 2] == ""
        # The same update published again (a retried fan-out) is not sent twice.
        await publish_home_update(runtime, [alice.account.id], status_id)
        await publish_delete(runtime, status_id)
        event = await stream.next()
        assert (event.event, event.data) == ("delete", str(status_id))
        at = stream.lines.index("event: delete")
        assert stream.lines[at + 1 : at + 3] == [f"data: {status_id}", ""]


async def test_token_in_the_query_string_and_stream_by_name(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    async with open_sse(
        server, "/api/v1/streaming", stream="user", access_token=alice.token
    ) as stream:
        status_id = await post(client, alice, "by query")
        await publish_home_update(runtime, [alice.account.id], status_id)
        assert (await stream.next_update())["id"] == str(status_id)


async def test_public_and_hashtag_streams(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory, bus_kind: str
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    async with (
        open_sse(server, "/api/v1/streaming/public") as public,
        open_sse(server, "/api/v1/streaming/public/local", bob) as local,
        open_sse(server, "/api/v1/streaming/hashtag", tag="Cats") as cats,
        open_sse(server, "/api/v1/streaming/hashtag/local", tag="#cats") as local_cats,
        open_sse(server, "/api/v1/streaming/hashtag", tag="dogs") as dogs,
        open_sse(server, "/api/v1/streaming/public/remote") as remote,
        open_sse(server, "/api/v1/streaming/public", only_media="true") as media,
    ):
        unlisted = await post(client, alice, "quiet #cats", visibility="unlisted")
        await publish_public(runtime, unlisted)  # not public: goes nowhere
        tagged = await post(client, alice, "look #Cats")
        await publish_public(runtime, tagged)
        for stream in (public, local, cats, local_cats):
            assert (await stream.next_update())["id"] == str(tagged)
        # A reply to someone else stays off the public streams but reaches its tag.
        reply = await post(client, bob, "@alice #cats indeed", in_reply_to_id=str(tagged))
        await publish_public(runtime, reply, ["cats"])
        plain = await post(client, alice, "no tag here")
        await publish_public(runtime, plain, [])
        assert (await cats.next_update())["id"] == str(reply)
        assert (await local_cats.next_update())["id"] == str(reply)
        assert (await public.next_update())["id"] == str(plain)
        assert (await local.next_update())["id"] == str(plain)
        # A boost is never a public stream event.
        boost = await client.post(f"/api/v1/statuses/{plain}/reblog", headers=bob.headers)
        await publish_public(runtime, int(boost.json()["id"]))
        await publish_delete(runtime, plain)
        for stream in (public, local, cats, local_cats, dogs, remote, media):
            event = await stream.next()
            assert (event.event, event.data) == ("delete", str(plain))


async def test_notifications_stream_to_their_recipient_only(
    server: str, client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    notified_only = await factory.token(bob, "read:notifications")
    async with (
        open_sse(server, "/api/v1/streaming/user", bob) as user,
        open_sse(
            server, "/api/v1/streaming/user/notification", access_token=notified_only
        ) as notes,
        open_sse(server, "/api/v1/streaming/user", alice) as other,
    ):
        mention = await post(client, alice, "@bob hi")
        response = await client.get("/api/v1/notifications", headers=bob.headers)
        [notification] = response.json()
        await publish_notification(runtime, alice.account.id, int(notification["id"]))  # wrong
        await publish_notification(runtime, bob.account.id, int(notification["id"]))
        await publish_home_update(runtime, [bob.account.id], mention)
        for stream in (user, notes):
            event = await stream.next()
            assert event.event == "notification"
            assert event.json()["id"] == notification["id"]
            assert event.json()["type"] == "mention"
            assert event.json()["status"]["id"] == str(mention)
        assert (await user.next_update())["id"] == str(mention)
        # The notification-only stream carries no timeline updates; alice got her own post
        # (in her home) but not bob's notification; every stream gets the delete.
        await publish_delete(runtime, mention)
        assert (await notes.next()).event == "delete"
        assert (await other.next_update())["id"] == str(mention)
        assert (await other.next()).event == "delete"


async def test_heartbeat_when_nothing_happens(runtime: Runtime, factory: Factory) -> None:
    from roost.streaming.render import Renderer, StreamState
    from roost.streaming.sse import event_stream
    from roost.streaming.streams import Stream

    state = StreamState(Stream("public"), Renderer(runtime, None))
    lines = event_stream(runtime.bus, state, heartbeat=0.05)
    assert await anext(lines) == ":)\n\n"
    assert await anext(lines) == ":thump\n\n"
    assert await anext(lines) == ":thump\n\n"
    await lines.aclose()
