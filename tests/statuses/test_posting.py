import asyncio
from typing import Any

import httpx
import pytest

from roost.core.settings import get_settings
from roost.notifications.models import Notification
from roost.runtime import Runtime
from roost.statuses.models import IdempotencyKey, Mention, Status, StatusTag, Tag
from tests.factories import Factory
from tests.statuses.helpers import account_row, block, count, home, post


def base() -> str:
    return get_settings().base_url  # the running app's, read when the test runs


async def test_post_with_a_form_body(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        "/api/v1/statuses",
        data={"status": "Hello world", "visibility": "unlisted", "sensitive": "False"},
        headers=alice.headers,
    )
    assert response.status_code == 200
    status = response.json()
    assert status["content"] == "<p>Hello world</p>"
    assert status["visibility"] == "unlisted"
    assert status["sensitive"] is False
    assert status["account"]["id"] == alice.id
    assert status["application"]["name"] == "Test app"
    assert status["mentions"] == [] and status["tags"] == []
    assert "scheduled_at" not in status
    fetched = await client.get(f"/api/v1/statuses/{status['id']}")
    assert fetched.json()["content"] == "<p>Hello world</p>"


async def test_post_with_a_json_body(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    status = await post(
        client,
        alice,
        "spoiled",
        visibility="private",
        spoiler_text="cw: food",
        language="en",
        sensitive=False,
    )
    assert status["visibility"] == "private"
    assert status["spoiler_text"] == "cw: food"
    assert status["sensitive"] is True  # a content warning makes it sensitive
    assert status["language"] == "en"
    await runtime.jobs.drain()
    # The author's own home timeline has it.
    assert [s["id"] for s in await home(client, alice)] == [status["id"]]


async def test_counters_follow_posts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    await post(client, alice, "one")
    await post(client, alice, "two", visibility="private")
    await post(client, alice, "secret", visibility="direct")
    row = await account_row(runtime, alice)
    assert row.statuses_count == 2  # direct messages are not counted
    assert row.last_status_at is not None


async def test_idempotency_key_returns_the_same_status(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    headers = {**alice.headers, "Idempotency-Key": "abc-123"}
    first = await client.post("/api/v1/statuses", json={"status": "once"}, headers=headers)
    again = await client.post("/api/v1/statuses", json={"status": "once"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert await count(runtime, Status, account_id=alice.account.id) == 1
    assert (await account_row(runtime, alice)).statuses_count == 1
    # The same key from someone else is a different post.
    other = await client.post(
        "/api/v1/statuses",
        json={"status": "once"},
        headers={**bob.headers, "Idempotency-Key": "abc-123"},
    )
    assert other.json()["id"] != first.json()["id"]
    assert await count(runtime, IdempotencyKey) == 2


async def test_the_500_character_limit_counts_links_as_23(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    assert (
        await client.post("/api/v1/statuses", json={"status": "a" * 500}, headers=alice.headers)
    ).status_code == 200
    link = "https://example.com/" + "x" * 300
    fits = "b" * (500 - 24) + " " + link
    assert (
        await client.post("/api/v1/statuses", json={"status": fits}, headers=alice.headers)
    ).status_code == 200
    too_long = await client.post(
        "/api/v1/statuses", json={"status": "c" * 501}, headers=alice.headers
    )
    assert too_long.status_code == 422
    assert "character limit" in too_long.json()["error"]
    with_warning = await client.post(
        "/api/v1/statuses",
        json={"status": "d" * 490, "spoiler_text": "e" * 11},
        headers=alice.headers,
    )
    assert with_warning.status_code == 422
    assert await count(runtime, Status) == 2


async def test_html_in_a_post_is_shown_as_text(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    status = await post(
        client, alice, '<script>alert("x")</script><a href="javascript:alert(1)">click</a>'
    )
    assert "<script" not in status["content"]
    assert "<a " not in status["content"]
    assert "&lt;script&gt;" in status["content"]
    assert status["text"] == '<script>alert("x")</script><a href="javascript:alert(1)">click</a>'


async def test_mentions_and_hashtags(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("Bob")
    status = await post(client, alice, "hi @bob and @nobody #Roost #roost #Birds https://x.org")
    assert [m["id"] for m in status["mentions"]] == [bob.id]
    assert status["mentions"][0]["acct"] == "Bob"
    assert sorted(t["name"] for t in status["tags"]) == ["Birds", "Roost"]
    assert f'href="{base()}/@Bob" class="u-url mention"' in status["content"]
    assert "@nobody" in status["content"]
    assert f'href="{base()}/tags/roost" class="mention hashtag"' in status["content"]
    assert 'href="https://x.org"' in status["content"]
    # Tags are shared between posts, by lowercase name.
    await post(client, bob, "also #ROOST")
    assert await count(runtime, Tag) == 2
    assert await count(runtime, StatusTag) == 3
    notes = await count(runtime, Notification, account_id=bob.account.id, type="mention")
    assert notes == 1


async def test_mentioning_someone_who_blocks_you_does_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await block(runtime, bob, alice)
    status = await post(client, alice, "hey @bob")
    assert status["mentions"] == []
    assert "h-card" not in status["content"]
    assert await count(runtime, Mention) == 0
    assert await count(runtime, Notification) == 0


async def test_mentioning_yourself_does_not_notify(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    status = await post(client, alice, "note to @alice")
    assert [m["id"] for m in status["mentions"]] == [alice.id]
    assert await count(runtime, Notification) == 0


BAD_BODIES: list[tuple[dict[str, Any], int]] = [
    ({}, 422),
    ({"status": "   \n "}, 422),
    ({"status": "x", "visibility": "everyone"}, 422),
    ({"status": "x", "media_ids": ["1"]}, 422),
    ({"status": "x", "poll": {"options": ["a"], "expires_in": 600}}, 422),
    ({"status": "x", "scheduled_at": "2020-01-01T00:00:00Z"}, 422),
    ({"status": "x", "in_reply_to_id": "999999999999"}, 404),
    ({"status": "x", "in_reply_to_id": "abc"}, 404),
    ({"status": "x", "sensitive": "maybe"}, 422),
    ({"status": "x", "language": "not a language"}, 422),
    ({"status": 12}, 422),
]


@pytest.mark.parametrize(("body", "code"), BAD_BODIES)
async def test_bad_posts_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, body: dict[str, Any], code: int
) -> None:
    alice = await factory.user("alice")
    response = await client.post("/api/v1/statuses", json=body, headers=alice.headers)
    assert response.status_code == code
    assert "error" in response.json()
    assert await count(runtime, Status) == 0
    assert (await account_row(runtime, alice)).statuses_count == 0


async def test_bad_form_posts(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    for data in (
        {"status": "x", "media_ids[]": "5"},
        {"status": "x", "poll[options][]": ["a", "b"], "poll[expires_in]": "60"},
    ):
        response = await client.post("/api/v1/statuses", data=data, headers=alice.headers)
        assert response.status_code == 422
        assert "error" in response.json()
    broken = await client.post(
        "/api/v1/statuses",
        content=b"{not json",
        headers={**alice.headers, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert await count(runtime, Status) == 0


async def test_posting_needs_a_token_with_write_statuses(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    anonymous = await client.post("/api/v1/statuses", json={"status": "x"})
    assert anonymous.status_code == 401
    bad_token = await client.post(
        "/api/v1/statuses", json={"status": "x"}, headers={"Authorization": "Bearer nope"}
    )
    assert bad_token.status_code == 401
    read_only = await factory.token(alice, "read")
    refused = await client.post(
        "/api/v1/statuses",
        json={"status": "x"},
        headers={"Authorization": f"Bearer {read_only}"},
    )
    assert refused.status_code == 403
    narrow = await factory.token(alice, "write:statuses")
    allowed = await client.post(
        "/api/v1/statuses",
        json={"status": "x"},
        headers={"Authorization": f"Bearer {narrow}"},
    )
    assert allowed.status_code == 200
    assert await count(runtime, Status) == 1


async def test_posting_is_rate_limited(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    runtime.limiter.enabled = True
    for _ in range(300):
        await runtime.limiter.hit("post", alice.id)
    response = await client.post("/api/v1/statuses", json={"status": "x"}, headers=alice.headers)
    assert response.status_code == 429
    assert "error" in response.json()
    assert await count(runtime, Status) == 0


async def test_get_missing_or_malformed_ids(client: httpx.AsyncClient) -> None:
    for path in (
        "/api/v1/statuses/123",
        "/api/v1/statuses/abc",
        "/api/v1/statuses/99999999999999999999",
    ):
        response = await client.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": "Record not found"}


async def test_get_several_statuses(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    one = await post(client, alice, "one")
    two = await post(client, alice, "two")
    hidden = await post(client, alice, "hidden", visibility="private")
    response = await client.get(
        "/api/v1/statuses",
        params=[("id[]", two["id"]), ("id[]", hidden["id"]), ("id[]", "5"), ("id[]", one["id"])],
    )
    assert [s["id"] for s in response.json()] == [two["id"], one["id"]]


async def test_concurrent_retries_with_one_idempotency_key_make_one_post(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    headers = {**alice.headers, "Idempotency-Key": "retry-storm"}
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/statuses", json={"status": "#once"}, headers=headers)
            for _ in range(5)
        )
    )
    assert {r.status_code for r in responses} == {200}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count(runtime, Status) == 1
    assert await count(runtime, Tag) == 1
