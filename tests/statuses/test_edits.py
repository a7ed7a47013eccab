"""Editing a post: only its author, with a history that starts with the original, its
source, mentions re-read (and with them who may see a private post), the ``update``
notification to boosters, and translation answered as Mastodon without a backend."""

from __future__ import annotations

import httpx

from roost.notifications.models import Notification
from roost.runtime import Runtime
from roost.statuses.models import StatusEdit
from tests.factories import Factory
from tests.statuses.helpers import count, follow, post


async def test_an_edit_changes_the_post_and_keeps_its_history(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    status = await post(client, alice, "first #draft", language="en")
    url = f"/api/v1/statuses/{status['id']}"
    assert status["edited_at"] is None
    # Never edited: the history is the post itself.
    history = (await client.get(f"{url}/history")).json()
    assert [v["content"] for v in history] == [status["content"]]

    edited = await client.put(
        url, json={"status": "second #final", "spoiler_text": "cw"}, headers=alice.headers
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["id"] == status["id"] and body["edited_at"] is not None
    assert "second" in body["content"] and body["spoiler_text"] == "cw"
    assert body["sensitive"] is True  # a content warning makes it sensitive
    assert body["language"] == "en"  # kept when not given
    assert [t["name"] for t in body["tags"]] == ["final"]
    assert (await client.get(url)).json()["content"] == body["content"]

    await client.put(url, json={"status": "third"}, headers=alice.headers)
    history = (await client.get(f"{url}/history")).json()
    assert ["first" in history[0]["content"], "second" in history[1]["content"]] == [True, True]
    assert "third" in history[2]["content"]
    assert [v["spoiler_text"] for v in history] == ["", "cw", ""]
    assert history[0]["created_at"] == status["created_at"]
    assert all(v["account"]["id"] == str(alice.account.id) for v in history)
    assert await count(runtime, StatusEdit) == 3

    source = (await client.get(f"{url}/source", headers=alice.headers)).json()
    assert source == {"id": status["id"], "text": "third", "spoiler_text": ""}
    # The hashtag timeline follows the tags.
    tagged = (await client.get("/api/v1/timelines/tag/final")).json()
    assert tagged == []


async def test_the_same_text_again_adds_no_version(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    status = await post(client, alice, "steady")
    response = await client.put(
        f"/api/v1/statuses/{status['id']}", json={"status": "steady"}, headers=alice.headers
    )
    assert response.status_code == 200 and response.json()["edited_at"] is None
    assert await count(runtime, StatusEdit) == 0


async def test_only_the_author_edits_and_bad_edits_are_refused(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post(client, alice, "mine")
    url = f"/api/v1/statuses/{status['id']}"
    response = await client.put(url, json={"status": "hijacked"}, headers=bob.headers)
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    boost = (await client.post(f"{url}/reblog", headers=bob.headers)).json()
    response = await client.put(
        f"/api/v1/statuses/{boost['id']}", json={"status": "x"}, headers=bob.headers
    )
    assert response.status_code == 422
    for bad in (
        {"status": ""},
        {"status": "x" * 501},
        {"status": "poll", "poll": {"options": ["a", "b"], "expires_in": 300}},
        {"status": "pic", "media_ids": ["1"]},
        {"status": "lang", "language": "not a language"},
    ):
        response = await client.put(url, json=bad, headers=alice.headers)
        assert response.status_code == 422, bad
        assert "error" in response.json()
    assert (await client.get(url)).json()["content"] == status["content"]
    assert await count(runtime, StatusEdit) == 0
    assert (
        await client.put("/api/v1/statuses/12345", json={"status": "x"}, headers=alice.headers)
    ).status_code == 404
    assert (await client.put(url, json={"status": "anon"})).status_code == 401


async def test_mentions_follow_the_edit_and_with_them_who_may_see_it(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    status = await post(client, alice, "hi @bob", visibility="direct")
    url = f"/api/v1/statuses/{status['id']}"
    assert (await client.get(url, headers=bob.headers)).status_code == 200
    assert (await client.get(url, headers=carol.headers)).status_code == 404
    # The history of a post is as private as the post.
    assert (await client.get(f"{url}/history", headers=carol.headers)).status_code == 404
    assert (await client.get(f"{url}/history")).status_code == 404
    assert (await client.get(f"{url}/source", headers=carol.headers)).status_code == 404

    edited = await client.put(url, json={"status": "hi @carol"}, headers=alice.headers)
    assert [m["username"] for m in edited.json()["mentions"]] == ["carol"]
    assert (await client.get(url, headers=carol.headers)).status_code == 200
    assert (await client.get(url, headers=bob.headers)).status_code == 404
    assert (await client.get(f"{url}/history", headers=bob.headers)).status_code == 404
    history = (await client.get(f"{url}/history", headers=carol.headers)).json()
    assert len(history) == 2
    # The newly mentioned person is told; the one left out keeps the old mention only.
    assert await count(runtime, Notification, account_id=carol.account.id, type="mention") == 1


async def test_boosters_are_told_of_each_edit(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    await follow(runtime, carol, alice)
    status = await post(client, alice, "boost me")
    url = f"/api/v1/statuses/{status['id']}"
    await client.post(f"{url}/reblog", headers=bob.headers)
    await client.post(f"{url}/favourite", headers=carol.headers)
    for text in ("edited once", "edited twice"):
        await client.put(url, json={"status": text}, headers=alice.headers)
    notifications = (await client.get("/api/v1/notifications", headers=bob.headers)).json()
    assert [(n["type"], n["status"]["id"]) for n in notifications] == [("update", status["id"])]
    assert "twice" in notifications[0]["status"]["content"]
    # Who only favourited it is not told.
    assert await count(runtime, Notification, account_id=carol.account.id, type="update") == 0


async def test_translation_is_answered_as_mastodon_without_a_backend(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    public = await post(client, alice, "hola", language="es")
    private = await post(client, alice, "secreto", visibility="private")
    response = await client.post(
        f"/api/v1/statuses/{public['id']}/translate", json={"lang": "en"}, headers=bob.headers
    )
    assert (response.status_code, response.json()) == (404, {"error": "Record not found"})
    # Only public and unlisted posts are translated at all.
    response = await client.post(
        f"/api/v1/statuses/{private['id']}/translate", headers=alice.headers
    )
    assert (response.status_code, response.json()) == (403, {"error": "This action is not allowed"})
    # One the caller may not see does not exist.
    response = await client.post(f"/api/v1/statuses/{private['id']}/translate", headers=bob.headers)
    assert response.status_code == 404
    instance = (await client.get("/api/v2/instance")).json()
    assert instance["configuration"]["translation"] == {"enabled": False}
