"""The ``admin.sign_up`` notification: staff who may manage users hear of every new
account (waiting for approval or not), through the API and the web page alike."""

from __future__ import annotations

import html

import httpx
import pytest

from roost.admin.notices import notify_staff_of_sign_up
from roost.runtime import Runtime
from tests.admin.conftest import Cast, SignUp, web_sign_up
from tests.factories import User
from tests.web.helpers import login


async def sign_ups(client: httpx.AsyncClient, who: User) -> list[str]:
    """The usernames the person was told of, newest first."""
    response = await client.get("/api/v1/notifications?types[]=admin.sign_up", headers=who.headers)
    assert response.status_code == 200
    assert all(n["type"] == "admin.sign_up" and n["status"] is None for n in response.json())
    return [n["account"]["username"] for n in response.json()]


@pytest.mark.parametrize("settings", [{"registrations": "approval"}], indirect=True)
async def test_staff_hear_of_a_pending_sign_up(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    await sign_up("carol")
    await runtime.jobs.drain()  # carol's notice made first: queued jobs run in any order
    await web_sign_up(client, "dora", "dora@example.com")
    await runtime.jobs.drain()
    for staff in (cast.owner, cast.admin, cast.moderator):
        assert await sign_ups(client, staff) == ["dora", "carol"]
    assert await sign_ups(client, cast.user) == []
    told = (await client.get("/api/v1/notifications", headers=cast.moderator.headers)).json()
    assert told[0]["account"]["acct"] == "dora" and told[0]["group_key"].startswith(
        "admin.sign_up-"
    )
    # The moderator sees the pending account from the notification and approves it.
    approved = await client.post(
        f"/api/v1/admin/accounts/{told[1]['account']['id']}/approve", headers=cast.moderator.headers
    )
    assert approved.json()["username"] == "carol" and approved.json()["approved"] is True
    # The web page's notifications say it in words.
    assert (await login(client, "mo@example.com")).status_code == 303
    page = html.unescape((await client.get("/notifications")).text)
    assert "dora</a> signed up" in page.replace("\n", "")


async def test_open_sign_ups_are_told_and_grouped(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    for name in ("one", "two", "three"):
        assert (await sign_up(name)).status_code == 200
        # Each notice made before the next sign-up: queued jobs may run in any order, and
        # the notifications list orders them by when they were made.
        await runtime.jobs.drain()
    assert await sign_ups(client, cast.moderator) == ["three", "two", "one"]
    grouped = await client.get("/api/v2/notifications", headers=cast.moderator.headers)
    [group] = grouped.json()["notification_groups"]
    assert group["type"] == "admin.sign_up" and group["notifications_count"] == 3
    assert {a["username"] for a in grouped.json()["accounts"]} == {"one", "two", "three"}


async def test_a_policy_never_filters_sign_ups(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    strict = {"for_not_following": "filter", "for_new_accounts": "drop"}
    changed = await client.patch(
        "/api/v2/notifications/policy", data=strict, headers=cast.admin.headers
    )
    assert changed.status_code == 200
    await sign_up("newbie")
    await runtime.jobs.drain()
    assert await sign_ups(client, cast.admin) == ["newbie"]


@pytest.mark.parametrize("settings", [{"registrations": "approval"}], indirect=True)
async def test_a_rejected_sign_up_leaves_no_notification(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    await sign_up("spammer")
    await runtime.jobs.drain()
    [told] = (await client.get("/api/v1/notifications", headers=cast.admin.headers)).json()
    spammer_id = told["account"]["id"]
    await client.post(f"/api/v1/admin/accounts/{spammer_id}/reject", headers=cast.admin.headers)
    assert await sign_ups(client, cast.admin) == []
    # A notice job that runs late (a retry, the sweep) finds nobody to tell of.
    await notify_staff_of_sign_up(runtime=runtime, account_id=int(spammer_id))
    assert await sign_ups(client, cast.moderator) == []


async def test_the_notice_runs_once_however_often_it_is_driven(
    client: httpx.AsyncClient, runtime: Runtime, cast: Cast, sign_up: SignUp
) -> None:
    await sign_up("twice")
    await runtime.jobs.drain()
    [told] = (await client.get("/api/v1/notifications", headers=cast.owner.headers)).json()
    await notify_staff_of_sign_up(runtime=runtime, account_id=int(told["account"]["id"]))
    assert await sign_ups(client, cast.owner) == ["twice"]
