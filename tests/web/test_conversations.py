"""The Messages screen: one's conversations, opening one, replying, removing."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
from tests.factories import Factory
from tests.web.helpers import signed_in


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="conversation card[^"]*"[^>]*>.*?</li>', html, re.S)


async def test_messages_list_opens_the_thread_and_replies_stay_direct(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("alice", display_name="Alice A")
    bob = await factory.user("bob", display_name="Bob B")
    await factory.user("carol")
    sent = (
        await client.post(
            "/api/v1/statuses",
            json={"status": "@alice lunch <tomorrow>?", "visibility": "direct"},
            headers=bob.headers,
        )
    ).json()
    await runtime.jobs.drain()
    token = await signed_in(client, "alice")

    page = (await client.get("/conversations")).text
    [card] = cards(page)
    assert "unread" in card.split(">", 1)[0]
    assert "Bob B" in card and "lunch &lt;tomorrow&gt;?" in card
    conversation_id = re.search(r'data-conversation-id="(\d+)"', card)
    assert conversation_id
    assert 'name="visibility" value="direct"' in card
    assert f'name="in_reply_to_id" value="{sent["id"]}"' in card
    assert "@bob " in card  # the reply box is addressed to the others

    opened = await client.get(f"/conversations/{conversation_id.group(1)}")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/@bob/{sent['id']}"
    thread = (await client.get(opened.headers["location"])).text
    assert 'name="visibility" value="direct"' in thread  # its reply box keeps it direct
    [card] = cards((await client.get("/conversations")).text)
    assert "unread" not in card.split(">", 1)[0]

    replied = await client.post(
        "/statuses",
        data={
            "csrf_token": token,
            "next": "/conversations",
            "status": "@bob yes!",
            "visibility": "direct",
            "in_reply_to_id": sent["id"],
        },
    )
    assert replied.status_code == 303 and replied.headers["location"] == "/conversations"
    await runtime.jobs.drain()
    [card] = cards((await client.get("/conversations")).text)
    assert "You: @bob yes!" in card
    bobs = (await client.get("/api/v1/conversations", headers=bob.headers)).json()
    assert bobs[0]["unread"] is True and bobs[0]["last_status"]["content"].endswith("yes!</p>")


async def test_removing_and_others_conversations(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    await factory.user("carol")
    await client.post(
        "/api/v1/statuses",
        json={"status": "@alice psst", "visibility": "direct"},
        headers=bob.headers,
    )
    await runtime.jobs.drain()
    [bobs] = (await client.get("/api/v1/conversations", headers=bob.headers)).json()
    await signed_in(client, "carol")
    page = (await client.get("/conversations")).text
    assert cards(page) == [] and "No messages yet" in page
    assert (await client.get(f"/conversations/{bobs['id']}")).status_code == 404

    client.cookies.clear()
    token = await signed_in(client, "alice")
    [card] = cards((await client.get("/conversations")).text)
    found = re.search(r'data-conversation-id="(\d+)"', card)
    assert found
    refused = await client.post(f"/conversations/{found.group(1)}/remove")
    assert refused.status_code == 403  # no CSRF token
    removed = await client.post(
        f"/conversations/{found.group(1)}/remove", data={"csrf_token": token}
    )
    assert removed.status_code == 303
    assert cards((await client.get("/conversations")).text) == []
    assert len((await client.get("/api/v1/conversations", headers=bob.headers)).json()) == 1


async def test_messages_needs_signing_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/conversations")
    assert response.status_code in {302, 303}
    assert response.headers["location"].startswith("/login")
