"""Settings: profile, password, authorized apps with revoke, blocks and mutes with undo."""

from __future__ import annotations

import re

import httpx

from roost.runtime import Runtime
from tests.factories import PASSWORD, Factory
from tests.web.helpers import fetch_headers, signed_in


async def test_profile_changes_show_on_the_profile(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    token = await signed_in(client, "alice")
    saved = await client.post(
        "/settings/profile",
        data={
            "display_name": "Alice Liddell",
            "note": "Down the #rabbit hole",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?saved=profile"
    assert "Your profile is saved." in (await client.get(saved.headers["location"])).text
    profile = await client.get("/@alice")
    assert '<h1 class="display-name">Alice Liddell</h1>' in profile.text
    assert "Down the" in profile.text and "/tags/rabbit" in profile.text
    api = await client.get(f"/api/v1/accounts/{alice.id}")
    assert api.json()["display_name"] == "Alice Liddell"

    too_long = await client.post(
        "/settings/profile", data={"display_name": "x" * 31, "note": "kept", "csrf_token": token}
    )
    assert too_long.status_code == 422
    assert "Display name is too long" in too_long.text
    assert 'value="' + "x" * 31 + '"' in too_long.text  # shown back to fix
    assert (await client.get(f"/api/v1/accounts/{alice.id}")).json()["display_name"] == (
        "Alice Liddell"
    )


async def test_authorized_apps_are_listed_per_app_and_revoked(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")  # a token from the factory's "Test app"
    second = await factory.token(alice, "read:statuses")  # the same app again
    bob = await factory.user("bob")  # bob uses the same app
    token = await signed_in(client, "alice")

    page = await client.get("/settings")
    apps = re.findall(r'<li class="app" data-app-id="(\d+)">', page.text)
    assert len(apps) == 1  # one entry for the app, whatever its number of tokens
    assert '<strong class="app-name">Test app</strong>' in page.text
    assert "Can: follow, push, read, read:statuses, write" in page.text  # all its tokens
    app_id = apps[0]

    revoked = await client.post(f"/settings/apps/{app_id}/revoke", headers=fetch_headers(token))
    assert revoked.json() == {"revoked": app_id}
    for alices in (alice.headers, {"Authorization": f"Bearer {second}"}):
        check = await client.get("/api/v1/accounts/verify_credentials", headers=alices)
        assert check.status_code == 401
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bob.headers)).is_success
    after = await client.get("/settings")
    assert 'class="app"' not in after.text and "No app has access" in after.text

    again = await client.post(f"/settings/apps/{app_id}/revoke", headers=fetch_headers(token))
    assert again.status_code == 404
    other = await client.post("/settings/apps/abc/revoke", data={"csrf_token": token})
    assert other.status_code == 404
    plain = await client.post(f"/settings/apps/{app_id}/revoke", data={"csrf_token": token})
    assert plain.status_code == 404 and "<html" in plain.text


async def test_a_password_change_signs_every_app_out_and_says_so(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    second = await factory.token(alice, "read")
    bob = await factory.user("bob")
    token = await signed_in(client, "alice")
    page = await client.get("/settings")
    assert "signs out every app you authorized" in page.text
    # The home timeline read once, so that with Redis a kept page would answer it.
    assert (await client.get("/api/v1/timelines/home", headers=alice.headers)).is_success

    changed = await client.post(
        "/settings/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new passphrase",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 200
    assert "Your password is changed." in changed.text
    assert "2 app tokens were revoked: those apps must log in again." in changed.text
    for headers in (alice.headers, {"Authorization": f"Bearer {second}"}):
        me = await client.get("/api/v1/accounts/verify_credentials", headers=headers)
        assert me.status_code == 401 and "error" in me.json()
        home = await client.get("/api/v1/timelines/home", headers=headers)
        assert home.status_code == 401
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=bob.headers)).is_success
    assert (await client.get("/settings")).status_code == 200  # this browser stays signed in
    assert "No app has access" in (await client.get("/settings")).text


async def test_blocks_and_mutes_with_undo(client: httpx.AsyncClient, factory: Factory) -> None:
    await factory.user("alice")
    bob = await factory.user("bob")
    carol = await factory.user("carol")
    token = await signed_in(client, "alice")
    headers = fetch_headers(token)
    assert (await client.post(f"/accounts/{bob.id}/block", headers=headers)).json()["relationship"][
        "blocking"
    ]
    assert (await client.post(f"/accounts/{carol.id}/mute", headers=headers)).json()[
        "relationship"
    ]["muting"]

    page = await client.get("/settings")
    blocks = re.search(r'<ul id="blocks".*?</ul>', page.text, re.S)
    mutes = re.search(r'<ul id="mutes".*?</ul>', page.text, re.S)
    assert blocks and 'href="/@bob"' in blocks.group(0) and "/unblock" in blocks.group(0)
    assert mutes and 'href="/@carol"' in mutes.group(0) and "/unmute" in mutes.group(0)
    profile = await client.get("/@bob")
    assert ">Unblock</button>" in profile.text and 'id="follow"' not in profile.text

    undo = await client.post(
        f"/accounts/{bob.id}/unblock", data={"csrf_token": token, "next": "/settings"}
    )
    assert undo.status_code == 303 and undo.headers["location"] == "/settings"
    unmuted = await client.post(f"/accounts/{carol.id}/unmute", headers=headers)
    assert unmuted.json()["relationship"]["muting"] is False
    page = await client.get("/settings")
    assert "You haven't blocked anyone." in page.text
    assert "You haven't muted anyone." in page.text
