"""The web page's side of the follow graph features: the locked-account toggle, the
follow requests screen, "Requested" on a profile, the bell and private notes."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
from tests.factories import Factory, User
from tests.follows.test_requests import act, relationship
from tests.timelines.helpers import post
from tests.web.helpers import fetch_headers, signed_in


def _follow_button(html: str) -> str:
    found = re.search(r'<button id="follow"[^>]*>([^<]*)</button>', html)
    assert found, "no follow button"
    return found.group(1)


async def _me(client: httpx.AsyncClient, user: User) -> dict[str, object]:
    response = await client.get("/api/v1/accounts/verify_credentials", headers=user.headers)
    result: dict[str, object] = response.json()
    return result


async def test_the_locked_toggle_in_settings(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    token = await signed_in(client, "alice")
    page = await client.get("/settings")
    assert 'id="locked" name="locked" type="checkbox" value="on" aria' in page.text  # unticked

    saved = await client.post("/settings/privacy", data={"csrf_token": token, "locked": "on"})
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?saved=privacy"
    assert (await _me(client, alice))["locked"] is True
    page = await client.get("/settings?saved=privacy")
    assert "Your privacy settings are saved." in page.text
    assert 'value="on" checked' in page.text

    # An unticked box sends nothing: unlocked.
    await client.post("/settings/privacy", data={"csrf_token": token})
    assert (await _me(client, alice))["locked"] is False
    refused = await client.post("/settings/privacy", data={"locked": "on"})  # no CSRF token
    assert refused.status_code == 403
    assert (await _me(client, alice))["locked"] is False


async def test_asking_to_follow_shows_requested_and_can_be_cancelled(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice", locked=True)
    bob = await factory.user("bob")
    token = await signed_in(client, "bob")
    page = await client.get("/@alice")
    assert _follow_button(page.text) == "Follow"
    assert "Locked account" in page.text

    asked = await client.post(f"/accounts/{alice.id}/follow", headers=fetch_headers(token))
    assert asked.status_code == 200
    assert asked.json()["relationship"]["requested"] is True
    assert asked.json()["followers_count"] == 0
    page = await client.get("/@alice")
    assert _follow_button(page.text) == "Requested"
    assert f'action="/accounts/{alice.id}/unfollow"' in page.text
    assert 'id="bell-form"' in page.text and "hidden>" in page.text  # no bell before a follow

    # Without scripts: the form posts, then back to the profile.
    cancelled = await client.post(
        f"/accounts/{alice.id}/unfollow", data={"csrf_token": token, "next": "/@alice"}
    )
    assert cancelled.status_code == 303
    assert (await relationship(client, bob, alice))["requested"] is False
    assert _follow_button((await client.get("/@alice")).text) == "Follow"


async def test_the_follow_requests_screen_and_notifications_answer(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice", locked=True)
    bob, carol = await factory.user("bob"), await factory.user("carol")
    for asker in (bob, carol):
        await act(client, asker, f"/api/v1/accounts/{alice.id}/follow")
    token = await signed_in(client, "alice")

    screen = await client.get("/follow_requests")
    assert screen.status_code == 200
    assert re.findall(r'data-account-id="(\d+)"', screen.text) == [carol.id, bob.id]
    assert f'action="/follow_requests/{bob.id}/authorize"' in screen.text
    assert f'action="/follow_requests/{carol.id}/reject"' in screen.text
    settings = await client.get("/settings")
    assert '<span class="badge">2</span>' in settings.text

    notes = await client.get("/notifications")
    assert notes.text.count('data-type="follow_request"') == 2
    assert "asked to follow you" in notes.text
    assert "2 follow requests waiting" in notes.text

    accepted = await client.post(
        f"/follow_requests/{bob.id}/authorize", headers=fetch_headers(token)
    )
    assert accepted.json()["answer"] == "authorize"
    assert accepted.json()["relationship"]["followed_by"] is True
    rejected = await client.post(
        f"/follow_requests/{carol.id}/reject",
        data={"csrf_token": token, "next": "/follow_requests"},
    )
    assert rejected.status_code == 303 and rejected.headers["location"] == "/follow_requests"
    assert (await relationship(client, bob, alice))["following"] is True
    assert (await relationship(client, carol, alice))["following"] is False
    assert "No follow requests." in (await client.get("/follow_requests")).text
    again = await client.post(f"/follow_requests/{bob.id}/authorize", headers=fetch_headers(token))
    assert again.status_code == 404 and "error" in again.json()
    odd = await client.post(f"/follow_requests/{bob.id}/ignore", headers=fetch_headers(token))
    assert odd.status_code == 404
    await client.post("/logout", data={"csrf_token": token})
    assert (await client.get("/follow_requests")).status_code in (303, 401)


async def test_the_bell_on_a_profile_and_its_notifications(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    token = await signed_in(client, "bob")
    headers = fetch_headers(token)
    await client.post(f"/accounts/{alice.id}/follow", headers=headers)
    page = await client.get("/@alice")
    assert f'action="/accounts/{alice.id}/notify"' in page.text
    assert 'aria-pressed="false"' in page.text

    rung = await client.post(f"/accounts/{alice.id}/notify", headers=headers)
    assert rung.json()["relationship"]["notifying"] is True
    page = await client.get("/@alice")
    assert f'action="/accounts/{alice.id}/unnotify"' in page.text
    posted = await post(client, alice, "news from alice")
    await runtime.jobs.drain()
    notes = await client.get("/notifications")
    assert 'data-type="status"' in notes.text
    assert "just posted" in notes.text
    assert f'data-status-id="{posted}"' in notes.text

    quiet = await client.post(f"/accounts/{alice.id}/unnotify", headers=headers)
    assert quiet.json()["relationship"]["notifying"] is False


async def test_a_private_note_on_a_profile(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    bob = await factory.user("bob")
    token = await signed_in(client, "bob")
    saved = await client.post(
        f"/accounts/{alice.id}/note",
        data={"csrf_token": token, "comment": "<b>met</b> at the café", "next": "/@alice"},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/@alice"
    page = await client.get("/@alice")
    assert "&lt;b&gt;met&lt;/b&gt; at the café</textarea>" in page.text
    assert "<b>met</b>" not in page.text
    assert (await relationship(client, bob, alice))["note"] == "<b>met</b> at the café"
    too_long = await client.post(
        f"/accounts/{alice.id}/note", data={"comment": "x" * 2001}, headers=fetch_headers(token)
    )
    assert too_long.status_code == 422
    cleared = await client.post(
        f"/accounts/{alice.id}/note", data={"comment": ""}, headers=fetch_headers(token)
    )
    assert cleared.json()["relationship"]["note"] == ""
