import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from roost.core.db import as_utc, utcnow
from roost.notifications.models import Notification
from roost.polls.models import Poll, PollVote
from roost.runtime import Runtime
from roost.statuses.models import Status
from tests.factories import Factory
from tests.polls.helpers import end_poll, expiry_jobs, post_poll, vote
from tests.sql import statements
from tests.statuses.helpers import account_row, block, count, follow, home, post


async def test_a_post_with_a_poll_shows_it(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    status = await post_poll(client, alice, ["tea", "coffee", "water"], expires_in=600)
    poll = status["poll"]
    assert poll["options"] == [
        {"title": "tea", "votes_count": 0},
        {"title": "coffee", "votes_count": 0},
        {"title": "water", "votes_count": 0},
    ]
    assert poll["expired"] is False and poll["multiple"] is False
    assert poll["votes_count"] == 0 and poll["voters_count"] == 0
    assert poll["emojis"] == []
    assert poll["voted"] is True and poll["own_votes"] == []  # the author counts as voted
    ends = as_utc(datetime.fromisoformat(poll["expires_at"]))
    assert timedelta(seconds=590) < ends - utcnow() <= timedelta(seconds=600)
    # The same poll, by its own endpoint and inside the status, signed out too.
    alone = await client.get(f"/api/v1/polls/{poll['id']}")
    assert alone.status_code == 200
    assert "voted" not in alone.json()  # no user token: no voted, no own_votes
    again = await client.get(f"/api/v1/statuses/{status['id']}")
    assert again.json()["poll"]["options"] == poll["options"]


async def test_a_form_body_makes_a_poll(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        "/api/v1/statuses",
        data={
            "status": "Pick some",
            "poll[options][]": ["red", "green", "blue"],
            "poll[expires_in]": "300",
            "poll[multiple]": "true",
            "poll[hide_totals]": "false",
        },
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    poll = response.json()["poll"]
    assert [o["title"] for o in poll["options"]] == ["red", "green", "blue"]
    assert poll["multiple"] is True


async def test_votes_count_at_once_everywhere(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    await follow(runtime, bob, alice)
    status = await post_poll(client, alice, ["a", "b", "c"], multiple=True)
    poll_id = status["poll"]["id"]
    await runtime.jobs.drain()
    assert (await home(client, bob))[0]["poll"]["votes_count"] == 0  # rendered and kept

    voted = await vote(client, bob, poll_id, [0, 2])
    assert voted.status_code == 200, voted.text
    assert voted.json()["own_votes"] == [0, 2] and voted.json()["voted"] is True
    assert (await vote(client, carol, poll_id, [2])).status_code == 200

    shown = (await home(client, bob))[0]["poll"]  # the kept page shows the votes
    assert [o["votes_count"] for o in shown["options"]] == [1, 0, 2]
    assert shown["votes_count"] == 3 and shown["voters_count"] == 2
    assert shown["own_votes"] == [0, 2]
    as_carol = (await client.get(f"/api/v1/polls/{poll_id}", headers=carol.headers)).json()
    assert as_carol["own_votes"] == [2] and as_carol["voted"] is True
    as_alice = (await client.get(f"/api/v1/statuses/{status['id']}", headers=alice.headers)).json()
    assert as_alice["poll"]["votes_count"] == 3


VOTE_REFUSALS = [
    ([5], "The chosen vote option does not exist"),
    ([-1], "The chosen vote option does not exist"),
    ([], "The chosen vote option does not exist"),
    ([0, 1], "This poll allows a single choice only"),
]


@pytest.mark.parametrize(("choices", "message"), VOTE_REFUSALS)
async def test_bad_choices_are_refused(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime, choices: list[int], message: str
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post_poll(client, alice)
    response = await vote(client, bob, status["poll"]["id"], choices)
    assert response.status_code == 422
    assert response.json()["error"] == f"Validation failed: {message}"
    assert await count(runtime, PollVote) == 0


async def test_voting_twice_own_poll_and_ended_poll_are_refused(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post_poll(client, alice)
    poll_id = status["poll"]["id"]
    own = await vote(client, alice, poll_id, [0])
    assert own.status_code == 422
    assert own.json()["error"] == "Validation failed: You cannot vote in your own polls"
    assert (await vote(client, bob, poll_id, [0])).status_code == 200
    again = await vote(client, bob, poll_id, [1])
    assert again.status_code == 422
    assert again.json()["error"] == "Validation failed: You have already voted on this poll"

    carol = await factory.user("carol")
    await end_poll(runtime, poll_id)
    late = await vote(client, carol, poll_id, [0])
    assert late.status_code == 422
    assert late.json()["error"] == "Validation failed: The poll has already ended"
    shown = (await client.get(f"/api/v1/polls/{poll_id}")).json()
    assert shown["expired"] is True
    assert [o["votes_count"] for o in shown["options"]] == [1, 0]


async def test_two_votes_at_once_count_once(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post_poll(client, alice, ["a", "b", "c"], multiple=True)
    poll_id = status["poll"]["id"]
    answers = await asyncio.gather(*(vote(client, bob, poll_id, [i]) for i in range(3)))
    assert sorted(a.status_code for a in answers) == [200, 422, 422]
    refused = [a.json()["error"] for a in answers if a.status_code == 422]
    assert refused == ["Validation failed: You have already voted on this poll"] * 2
    shown = (await client.get(f"/api/v1/polls/{poll_id}")).json()
    assert shown["votes_count"] == 1 and shown["voters_count"] == 1


async def test_hidden_totals_show_once_the_poll_ends(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post_poll(client, alice, hide_totals=True)
    poll_id = status["poll"]["id"]
    assert (await vote(client, bob, poll_id, [1])).status_code == 200
    hidden = (await client.get(f"/api/v1/polls/{poll_id}", headers=alice.headers)).json()
    assert [o["votes_count"] for o in hidden["options"]] == [None, None]
    assert hidden["votes_count"] == 1
    await end_poll(runtime, poll_id)
    shown = (await client.get(f"/api/v1/polls/{poll_id}", headers=bob.headers)).json()
    assert [o["votes_count"] for o in shown["options"]] == [0, 1]


async def test_a_poll_follows_its_status_privacy(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol = [await factory.user(n) for n in ("alice", "bob", "carol")]
    await follow(runtime, bob, alice)
    status = await post_poll(client, alice, visibility="private")
    poll_id = status["poll"]["id"]
    assert (await client.get(f"/api/v1/polls/{poll_id}")).status_code == 404
    assert (await client.get(f"/api/v1/polls/{poll_id}", headers=carol.headers)).status_code == 404
    hidden = await vote(client, carol, poll_id, [0])
    assert hidden.status_code == 404
    assert (await vote(client, bob, poll_id, [0])).status_code == 200
    await block(runtime, alice, bob)
    assert (await vote(client, bob, poll_id, [1])).status_code == 404
    assert (await client.get("/api/v1/polls/123456789", headers=bob.headers)).status_code == 404
    assert (await client.get("/api/v1/polls/abc", headers=bob.headers)).status_code == 404


BAD_POLLS: list[tuple[dict[str, Any], str]] = [
    ({"options": ["only"], "expires_in": 600}, "Poll options must have more than one item"),
    (
        {"options": ["a", "b", "c", "d", "e"], "expires_in": 600},
        "Poll options can't contain more than 4 items",
    ),
    (
        {"options": ["a", "b" * 51], "expires_in": 600},
        "Poll options cannot be longer than 50 characters each",
    ),
    ({"options": ["a", "a"], "expires_in": 600}, "Poll options contain duplicate items"),
    ({"options": ["a", " "], "expires_in": 600}, "Poll options can't be blank"),
    ({"options": ["a", "b"], "expires_in": 299}, "Poll expires at is too soon"),
    (
        {"options": ["a", "b"], "expires_in": 2629747},
        "Poll expires at is too far into the future",
    ),
    ({"options": ["a", "b"]}, "poll[expires_in] can't be blank"),
    ({"expires_in": 600}, "poll[options] can't be blank"),
    ({"options": ["a", "b"], "expires_in": "soon"}, "poll[expires_in]: "),
]


@pytest.mark.parametrize(("poll", "message"), BAD_POLLS)
async def test_bad_polls_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient,
    factory: Factory,
    runtime: Runtime,
    poll: dict[str, Any],
    message: str,
) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        "/api/v1/statuses", json={"status": "q", "poll": poll}, headers=alice.headers
    )
    assert response.status_code == 422
    assert response.json()["error"].startswith(f"Validation failed: {message}")
    assert await count(runtime, Status) == 0 and await count(runtime, Poll) == 0
    assert (await account_row(runtime, alice)).statuses_count == 0


async def test_a_poll_cannot_go_with_media(client: httpx.AsyncClient, factory: Factory) -> None:
    alice = await factory.user("alice")
    response = await client.post(
        "/api/v1/statuses",
        json={
            "status": "q",
            "media_ids": ["1"],
            "poll": {"options": ["a", "b"], "expires_in": 600},
        },
        headers=alice.headers,
    )
    assert response.status_code == 422


async def test_the_end_of_a_poll_notifies_voters_and_author_once(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob, carol, dave = [await factory.user(n) for n in ("alice", "bob", "carol", "dave")]
    status = await post_poll(client, alice)
    poll_id = status["poll"]["id"]
    for voter in (bob, carol):
        assert (await vote(client, voter, poll_id, [0])).status_code == 200
    (job,) = await expiry_jobs(runtime)
    assert as_utc(job.next_attempt_at) > utcnow() + timedelta(minutes=59)  # waits in the db
    assert await runtime.jobs.sweep() == 0  # not due: nothing runs

    await end_poll(runtime, poll_id)
    assert await runtime.jobs.sweep() == 1
    await runtime.jobs.drain()
    assert await expiry_jobs(runtime) == []
    for user in (alice, bob, carol):
        got = (await client.get("/api/v1/notifications", headers=user.headers)).json()
        assert [(n["type"], n["status"]["id"]) for n in got] == [("poll", status["id"])]
        assert got[0]["account"]["id"] == alice.id
        assert got[0]["status"]["poll"]["expired"] is True
    assert (await client.get("/api/v1/notifications", headers=dave.headers)).json() == []

    # A second run (a retry, another worker) tells nobody again.
    from roost.polls.service import close_poll

    await close_poll(runtime, poll_id=int(poll_id))
    async with runtime.db.read() as session:
        kinds = (await session.scalars(select(Notification.type))).all()
    assert kinds == ["poll"] * 3


async def test_a_deleted_status_takes_its_poll_and_the_job_does_nothing(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    alice, bob = await factory.user("alice"), await factory.user("bob")
    status = await post_poll(client, alice)
    poll_id = status["poll"]["id"]
    assert (await vote(client, bob, poll_id, [1])).status_code == 200
    deleted = await client.delete(f"/api/v1/statuses/{status['id']}", headers=alice.headers)
    assert deleted.status_code == 200
    assert deleted.json()["poll"]["votes_count"] == 1
    assert await count(runtime, Poll) == 0 and await count(runtime, PollVote) == 0
    await end_poll(runtime, poll_id)
    await runtime.jobs.sweep()
    await runtime.jobs.drain()
    assert await count(runtime, Notification) == 0
    assert (await client.get(f"/api/v1/polls/{poll_id}")).status_code == 404


async def test_a_page_without_polls_is_unchanged(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    alice = await factory.user("alice")
    plain = await post(client, alice, "no question here")
    assert plain["poll"] is None


async def test_the_instance_reports_the_poll_limits(client: httpx.AsyncClient) -> None:
    v1 = (await client.get("/api/v1/instance")).json()["configuration"]["polls"]
    v2 = (await client.get("/api/v2/instance")).json()["configuration"]["polls"]
    assert (
        v1
        == v2
        == {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2629746,
        }
    )


async def test_a_page_of_polls_costs_one_query_more(
    client: httpx.AsyncClient, factory: Factory, runtime: Runtime
) -> None:
    """However many polls a page shows, their counts and the reader's votes come in
    one statement; a page without polls runs none of it."""
    alice, bob, reader = [await factory.user(n) for n in ("alice", "bob", "reader")]
    for n in range(3):
        await post(client, alice, f"plain {n}")
    plain = await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=reader.headers)
    await runtime.jobs.drain()  # the posts' fan-out jobs run no SQL inside the counts
    with statements(runtime) as without:
        await client.get(f"/api/v1/accounts/{alice.id}/statuses", headers=reader.headers)
    for n in range(3):
        await post_poll(client, bob, [f"a{n}", f"b{n}"])
    await client.get(f"/api/v1/accounts/{bob.id}/statuses", headers=reader.headers)
    await runtime.jobs.drain()
    with statements(runtime) as with_polls:
        page = await client.get(f"/api/v1/accounts/{bob.id}/statuses", headers=reader.headers)
    assert len(page.json()) == 3 and all(s["poll"] for s in page.json())
    assert len(plain.json()) == 3
    assert len(with_polls) == len(without) + 1
    assert sum("poll_tallies" in sql for sql in with_polls) == 1
    assert not any("poll_tallies" in sql for sql in without)
