"""Polls and scheduled posts on the web page: composing them, voting, the results, the
list of scheduled posts and cancelling one."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from roost.core.db import as_utc, utcnow
from roost.polls.models import Poll, PollVote
from roost.runtime import Runtime
from roost.scheduled.models import ScheduledStatus
from roost.statuses.models import Status
from tests.factories import Factory
from tests.statuses.helpers import count
from tests.web.helpers import fetch_headers, signed_in


def _poll_box(html: str) -> str:
    found = re.search(r'<div class="poll" data-poll-id="\d+">.*?</div>\n', html, re.S)
    assert found, "no poll on the page"
    return found.group(0)


async def test_compose_a_poll_and_vote_without_javascript(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    await factory.user("bob")
    token = await signed_in(client, "alice")
    home = await client.get("/home")
    assert 'name="poll_options[]"' in home.text and 'name="scheduled_at"' in home.text
    assert home.text.count('name="poll_options[]"') == 4  # the instance's poll_max_options
    posted = await client.post(
        "/statuses",
        data={
            "csrf_token": token,
            "status": "Tea or coffee?",
            "poll_options[]": ["Tea", "Coffee", "", ""],
            "poll_expires_in": "3600",
            "next": "/home",
        },
    )
    assert posted.status_code == 303
    async with runtime.db.read() as session:
        (poll,) = (await session.scalars(select(Poll))).all()
    assert poll.options == ["Tea", "Coffee"] and poll.multiple is False
    assert timedelta(minutes=59) < as_utc(poll.expires_at) - utcnow() <= timedelta(hours=1)
    status_path = f"/@alice/{poll.status_id}"
    own = _poll_box((await client.get(status_path)).text)
    assert 'class="poll-vote"' not in own  # the author sees results, no vote form
    assert "0 people" in own

    await client.post("/logout", data={"csrf_token": token})
    token = await signed_in(client, "bob")
    box = _poll_box((await client.get(status_path)).text)
    assert 'type="radio" name="choices[]" value="0"' in box
    assert 'type="radio" name="choices[]" value="1"' in box
    voted = await client.post(
        f"/polls/{poll.id}/votes",
        data={"csrf_token": token, "choices[]": "1", "next": status_path},
    )
    assert voted.status_code == 303 and voted.headers["location"] == status_path
    results = _poll_box((await client.get(status_path)).text)
    assert 'class="poll-vote"' not in results
    assert re.search(r"100%</span>\s*<span class=\"poll-title\">Coffee", results)
    assert "(your choice)" in results and "1 person" in results
    again = await client.post(
        f"/polls/{poll.id}/votes", data={"csrf_token": token, "choices[]": "0"}
    )
    assert again.status_code == 422
    assert "already voted" in again.text
    assert await count(runtime, PollVote) == 1


async def test_vote_in_place_and_refusals(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice = await factory.user("alice")
    await factory.user("bob")
    response = await client.post(
        "/api/v1/statuses",
        json={
            "status": "pick",
            "poll": {"options": ["a", "b", "c"], "expires_in": 600, "multiple": True},
        },
        headers=alice.headers,
    )
    poll_id = response.json()["poll"]["id"]
    token = await signed_in(client, "bob")
    headers = fetch_headers(token)
    box = _poll_box((await client.get(f"/@alice/{response.json()['id']}")).text)
    assert box.count('type="checkbox" name="choices[]"') == 3
    nothing = await client.post(f"/polls/{poll_id}/votes", data={}, headers=headers)
    assert nothing.status_code == 422 and nothing.json()["error"] == "Choose an option to vote for"
    no_csrf = await client.post(f"/polls/{poll_id}/votes", data={"choices[]": "0"})
    assert no_csrf.status_code == 403
    voted = await client.post(
        f"/polls/{poll_id}/votes", data={"choices[]": ["0", "2"]}, headers=headers
    )
    assert voted.status_code == 200
    assert voted.json()["own_votes"] == [0, 2] and voted.json()["votes_count"] == 2


async def test_compose_mistakes_are_shown_and_nothing_is_posted(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    token = await signed_in(client, "alice")
    lonely = await client.post(
        "/statuses",
        data={"csrf_token": token, "status": "q", "poll_options[]": ["only one", ""]},
    )
    assert lonely.status_code == 422
    assert "Poll options must have more than one item" in lonely.text
    assert 'value="only one"' in lonely.text  # the form keeps what was typed
    soon = (utcnow() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    early = await client.post(
        "/statuses", data={"csrf_token": token, "status": "q", "scheduled_at": soon}
    )
    assert early.status_code == 422
    assert "The scheduled date must be in the future" in early.text
    assert await count(runtime, Status) == 0 and await count(runtime, ScheduledStatus) == 0


async def test_schedule_list_and_cancel(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    await factory.user("alice")
    await factory.user("bob")
    token = await signed_in(client, "alice")
    # 10:00 in the browser's zone, two hours west of UTC (getTimezoneOffset() = 120).
    local = (utcnow() + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    scheduled = await client.post(
        "/statuses",
        data={
            "csrf_token": token,
            "status": "Good morning",
            "scheduled_at": local.strftime("%Y-%m-%dT%H:%M"),
            "timezone_offset": "120",
            "poll_options[]": ["yes", "no"],
            "poll_expires_in": "300",
        },
        headers=fetch_headers(token),
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["scheduled_at"] == local.strftime("%Y-%m-%dT12:00:00.000Z")
    assert await count(runtime, Status) == 0

    page = await client.get("/scheduled")
    assert page.status_code == 200
    assert "Good morning" in page.text and "<li>yes</li>" in page.text
    sid = scheduled.json()["id"]
    assert f'action="/scheduled/{sid}/cancel"' in page.text

    await client.post("/logout", data={"csrf_token": token})
    bob_token = await signed_in(client, "bob")
    assert "Good morning" not in (await client.get("/scheduled")).text
    theirs = await client.post(f"/scheduled/{sid}/cancel", data={"csrf_token": bob_token})
    assert theirs.status_code == 404
    await client.post("/logout", data={"csrf_token": bob_token})

    token = await signed_in(client, "alice")
    cancelled = await client.post(f"/scheduled/{sid}/cancel", data={"csrf_token": token})
    assert cancelled.status_code == 303 and cancelled.headers["location"] == "/scheduled"
    assert await count(runtime, ScheduledStatus) == 0
    assert "Nothing scheduled" in (await client.get("/scheduled")).text


async def test_scheduled_page_needs_a_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/scheduled")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_the_end_of_a_poll_in_the_notifications(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    from tests.polls.helpers import end_poll, post_poll, vote

    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post_poll(client, alice)
    assert (await vote(client, bob, status["poll"]["id"], [0])).status_code == 200
    await end_poll(runtime, status["poll"]["id"])
    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    await signed_in(client, "alice")
    page = (await client.get("/notifications")).text
    assert "Your poll has ended" in page
    box = _poll_box(page)
    assert "Closed" in box and "100%" in box
