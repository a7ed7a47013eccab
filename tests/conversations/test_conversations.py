"""Direct conversations: one per participant per thread, kept current after commit."""

from typing import Any

import httpx
from sqlalchemy import update

from roost.conversations.models import AccountConversation
from roost.conversations.updates import update_conversations
from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.statuses.helpers import block, post


async def conversations(
    client: httpx.AsyncClient, runtime: Runtime, user: User, **params: str | int
) -> list[dict[str, Any]]:
    await runtime.jobs.drain()
    response = await client.get("/api/v1/conversations", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


async def dm(client: httpx.AsyncClient, user: User, text: str, **fields: Any) -> dict[str, Any]:
    return await post(client, user, text, visibility="direct", **fields)


async def test_a_direct_post_makes_a_conversation_for_each_participant(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    dave = await factory.user("dave")
    sent = await dm(client, alice, "@bob @carol secret plans")

    mine = await conversations(client, runtime, alice)
    assert len(mine) == 1
    assert mine[0]["unread"] is False  # the author has read what they wrote
    assert {a["username"] for a in mine[0]["accounts"]} == {"bob", "carol"}
    assert mine[0]["last_status"]["id"] == sent["id"]
    assert set(mine[0]) == {"id", "unread", "accounts", "last_status"}

    bobs = await conversations(client, runtime, bob)
    assert len(bobs) == 1
    assert bobs[0]["unread"] is True
    assert {a["username"] for a in bobs[0]["accounts"]} == {"alice", "carol"}
    assert bobs[0]["id"] != mine[0]["id"]  # each person has their own
    assert await conversations(client, runtime, dave) == []
    assert len(await conversations(client, runtime, carol)) == 1


async def test_replies_stay_in_the_thread_and_move_it_up(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    first = await dm(client, alice, "@bob hi")
    other = await dm(client, alice, "@bob another topic")
    reply = await dm(client, bob, "@alice hello back", in_reply_to_id=first["id"])

    mine = await conversations(client, runtime, alice)
    assert [c["last_status"]["id"] for c in mine] == [reply["id"], other["id"]]
    assert mine[0]["unread"] is True  # bob's reply is new to alice
    bobs = await conversations(client, runtime, bob)
    assert [c["last_status"]["id"] for c in bobs] == [reply["id"], other["id"]]
    assert bobs[0]["unread"] is False


async def test_paging_by_the_last_post_with_link_headers(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    sent = [await dm(client, alice, f"@bob number {n}") for n in range(3)]
    await runtime.jobs.drain()
    first = await client.get("/api/v1/conversations?limit=2", headers=alice.headers)
    assert [c["last_status"]["id"] for c in first.json()] == [sent[2]["id"], sent[1]["id"]]
    link = first.headers["link"]
    assert f"max_id={sent[1]['id']}" in link and f"min_id={sent[2]['id']}" in link
    older = await client.get(
        "/api/v1/conversations", params={"max_id": sent[1]["id"]}, headers=alice.headers
    )
    assert [c["last_status"]["id"] for c in older.json()] == [sent[0]["id"]]
    newer = await client.get(
        "/api/v1/conversations", params={"min_id": sent[0]["id"]}, headers=alice.headers
    )
    assert [c["last_status"]["id"] for c in newer.json()] == [sent[2]["id"], sent[1]["id"]]


async def test_read_and_remove_are_one_persons_own(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await dm(client, alice, "@bob hi")
    [bobs] = await conversations(client, runtime, bob)
    [alices] = await conversations(client, runtime, alice)

    nope = await client.post(f"/api/v1/conversations/{alices['id']}/read", headers=bob.headers)
    assert nope.status_code == 404
    read = await client.post(f"/api/v1/conversations/{bobs['id']}/read", headers=bob.headers)
    assert read.status_code == 200
    assert read.json()["unread"] is False
    assert (await conversations(client, runtime, bob))[0]["unread"] is False

    gone = await client.delete(f"/api/v1/conversations/{alices['id']}", headers=bob.headers)
    assert gone.status_code == 404
    removed = await client.delete(f"/api/v1/conversations/{bobs['id']}", headers=bob.headers)
    assert removed.status_code == 200 and removed.json() == {}
    assert await conversations(client, runtime, bob) == []
    assert len(await conversations(client, runtime, alice)) == 1  # alice keeps hers
    bad = await client.delete("/api/v1/conversations/nope", headers=bob.headers)
    assert bad.status_code == 404

    reply = await dm(client, alice, "@bob still there?")
    [back] = await conversations(client, runtime, bob)  # a new post brings it back
    assert back["last_status"]["id"] == reply["id"] and back["unread"] is True


async def test_public_posts_and_mentions_make_no_conversation(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    await post(client, alice, "@bob in public")
    await post(client, alice, "@bob followers only", visibility="private")
    assert await conversations(client, runtime, bob) == []
    assert await conversations(client, runtime, alice) == []


async def test_a_post_to_oneself_lists_oneself(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await dm(client, alice, "note to self")
    [mine] = await conversations(client, runtime, alice)
    assert [a["username"] for a in mine["accounts"]] == ["alice"]


async def test_a_blocked_authors_post_makes_no_conversation_for_the_blocker(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    await block(runtime, carol, alice)
    await dm(client, alice, "@bob @carol hi both")
    assert await conversations(client, runtime, carol) == []
    assert len(await conversations(client, runtime, bob)) == 1
    # bob blocks alice later: her new post in the thread does not reach him
    await block(runtime, bob, alice)
    [before] = await conversations(client, runtime, bob)
    await dm(client, alice, "@bob @carol again")
    [after] = await conversations(client, runtime, bob)
    assert after["last_status"]["id"] == before["last_status"]["id"]


async def test_deleting_the_last_post_goes_back_to_the_one_before(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    first = await dm(client, alice, "@bob one")
    second = await dm(client, alice, "@bob two", in_reply_to_id=first["id"])
    assert (await conversations(client, runtime, bob))[0]["last_status"]["id"] == second["id"]

    deleted = await client.delete(f"/api/v1/statuses/{second['id']}", headers=alice.headers)
    assert deleted.status_code == 200
    [bobs] = await conversations(client, runtime, bob)
    assert bobs["last_status"]["id"] == first["id"]

    await client.delete(f"/api/v1/statuses/{first['id']}", headers=alice.headers)
    assert await conversations(client, runtime, bob) == []
    assert await conversations(client, runtime, alice) == []


async def test_needs_a_token_with_the_right_scopes(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    assert (await client.get("/api/v1/conversations")).status_code == 401
    reader = await factory.token(alice, "read")
    await dm(client, alice, "note")
    [mine] = await conversations(client, runtime, alice)
    refused = await client.post(
        f"/api/v1/conversations/{mine['id']}/read",
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert refused.status_code == 403


async def test_the_job_is_idempotent_and_an_older_post_never_wins(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    """At-least-once jobs: a rerun (the sweep after a crash) or a late job of an older
    post leaves the conversation at its newest post, its unread mark as it was."""
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    first = await dm(client, alice, "@bob one")
    second = await dm(client, bob, "@alice two", in_reply_to_id=first["id"])
    [before] = await conversations(client, runtime, bob)
    assert before["last_status"]["id"] == second["id"] and before["unread"] is False
    await update_conversations(runtime, status_id=int(first["id"]))  # late, older
    await update_conversations(runtime, status_id=int(second["id"]))  # again
    assert await conversations(client, runtime, bob) == [before]
    [alices] = await conversations(client, runtime, alice)
    assert alices["last_status"]["id"] == second["id"] and alices["unread"] is True


async def test_a_last_post_not_yet_repaired_shows_as_null(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    await dm(client, alice, "@bob one")
    await runtime.jobs.drain()
    async with runtime.db.write() as session:  # as between a delete's commit and its job
        await session.execute(update(AccountConversation).values(last_status_id=1))
        await session.commit()
    [mine] = await conversations(client, runtime, alice)
    assert mine["last_status"] is None
