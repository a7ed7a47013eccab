"""Editing a post's media (Mastodon's media_ids and media_attributes on PUT), and the
history showing each version's media with the descriptions it had."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.media_files import make_media, picture
from tests.statuses.helpers import follow, home, post


async def upload(runtime: Runtime, user: User, size: int, description: str | None = None) -> str:
    data = picture(size, size, (size * 3 % 256, 90, 120))
    return str((await make_media(runtime, user.id, data=data, description=description)).id)


async def edit(
    client: httpx.AsyncClient, user: User, status_id: str, **body: Any
) -> httpx.Response:
    return await client.put(f"/api/v1/statuses/{status_id}", json=body, headers=user.headers)


def shown(status: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(m["id"], m["description"]) for m in status["media_attachments"]]


async def test_an_edit_changes_media_and_descriptions_seen_at_once(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    await follow(runtime, bob, alice)
    assert await home(client, bob) == []  # read once: live (with Redis, kept pages too)
    a, b = await upload(runtime, alice, 10, "first"), await upload(runtime, alice, 11, "second")
    c = await upload(runtime, alice, 12)
    status = await post(client, alice, "three birds", media_ids=[a, b])
    await runtime.jobs.drain()
    assert shown((await home(client, bob))[0]) == [(a, "first"), (b, "second")]

    response = await edit(
        client, alice, status["id"],
        status="three birds", media_ids=[b, c],
        media_attributes=[{"id": b, "description": "second, better"},
                          {"id": c, "description": "third", "focus": "0.5,-0.25"}],
    )  # fmt: skip
    assert response.status_code == 200, response.text
    edited = response.json()
    assert shown(edited) == [(b, "second, better"), (c, "third")]
    assert edited["media_attachments"][1]["meta"]["focus"] == {"x": 0.5, "y": -0.25}
    assert edited["edited_at"] is not None
    # Seen at once everywhere: the post, and the follower's (kept) home page.
    assert shown((await client.get(f"/api/v1/statuses/{status['id']}")).json()) == shown(edited)
    assert shown((await home(client, bob))[0]) == shown(edited)

    history = (await client.get(f"/api/v1/statuses/{status['id']}/history")).json()
    assert [shown(v) for v in history] == [
        [(a, "first"), (b, "second")],
        [(b, "second, better"), (c, "third")],
    ]
    assert history[0]["media_attachments"][0]["url"].startswith("http://localhost/system/")

    # A picture the edit dropped still belongs to the post: no other post takes it.
    taken = await client.post(
        "/api/v1/statuses", json={"status": "again", "media_ids": [a]}, headers=alice.headers
    )
    assert taken.status_code == 422 and "already attached" in taken.json()["error"]


async def test_changing_only_a_description_is_a_new_version(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    a = await upload(runtime, alice, 10)
    status = await post(client, alice, "a gull", media_ids=[a])
    same = await edit(client, alice, status["id"], status="a gull", media_ids=[a])
    assert same.json()["edited_at"] is None  # nothing changed: no version
    response = await edit(
        client, alice, status["id"], status="a gull", media_ids=[a],
        media_attributes=[{"id": a, "description": "A herring gull on a post"}],
    )  # fmt: skip
    assert shown(response.json()) == [(a, "A herring gull on a post")]
    history = (await client.get(f"/api/v1/statuses/{status['id']}/history")).json()
    assert [shown(v) for v in history] == [[(a, None)], [(a, "A herring gull on a post")]]


async def test_media_left_out_of_an_edit_are_removed_and_text_may_then_not_be_blank(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """As in Mastodon: the media are those the edit names."""
    alice = await factory.user("alice")
    a = await upload(runtime, alice, 10)
    status = await post(client, alice, "", media_ids=[a])
    blank = await edit(client, alice, status["id"], status="")
    assert blank.status_code == 422 and "can't be blank" in blank.json()["error"]
    kept = await edit(client, alice, status["id"], status="", media_ids=[a], sensitive=True)
    assert kept.status_code == 200 and shown(kept.json()) == [(a, None)]
    cleared = await edit(client, alice, status["id"], status="words now")
    assert cleared.json()["media_attachments"] == []


async def test_an_edit_refuses_media_it_cannot_take(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    a = await upload(runtime, alice, 10)
    status = await post(client, alice, "mine", media_ids=[a])
    others = await upload(runtime, bob, 11)
    five = [a] + [await upload(runtime, alice, 20 + n) for n in range(4)]
    poll = await post(client, alice, "vote", poll={"options": ["x", "y"], "expires_in": 300})
    far_off = [{"id": a, "focus": "2,0"}]
    too_long = [{"id": a, "description": "x" * 1501}]
    for status_id, body, error in [
        (status["id"], {"media_ids": [a, others]}, "was not found"),
        (status["id"], {"media_ids": five}, "at most 4"),
        (status["id"], {"media_ids": [a], "media_attributes": far_off}, "focus"),
        (status["id"], {"media_ids": [a], "media_attributes": too_long}, "at most 1500"),
        (poll["id"], {"media_ids": [await upload(runtime, alice, 30)]}, "both media and a poll"),
    ]:
        response = await edit(client, alice, status_id, status="changed", **body)
        assert response.status_code == 422, (body, response.text)
        assert error in response.json()["error"]
    after = (await client.get(f"/api/v1/statuses/{status['id']}")).json()
    assert after["edited_at"] is None and shown(after) == [(a, None)]


async def test_media_attributes_sent_as_a_form(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    a, b = await upload(runtime, alice, 10), await upload(runtime, alice, 11)
    status = await post(client, alice, "form", media_ids=[a])
    form = [
        ("status", "form"),
        ("media_ids[]", a),
        ("media_ids[]", b),
        ("media_attributes[][id]", a),
        ("media_attributes[][description]", "one"),
        ("media_attributes[][id]", b),
        ("media_attributes[][description]", "two"),
    ]
    response = await client.put(
        f"/api/v1/statuses/{status['id']}",
        content=urlencode(form),
        headers={**alice.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert shown(response.json()) == [(a, "one"), (b, "two")]
