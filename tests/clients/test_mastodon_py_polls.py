"""Mastodon.py, unchanged from PyPI, with polls and scheduled posts on a live server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from tests.clients.helpers import SignUp


def test_post_a_poll_vote_and_read_it(sign_up: SignUp) -> None:
    alice, bob, carol = sign_up("pollalice"), sign_up("pollbob"), sign_up("pollcarol")
    poll = alice.api.make_poll(["tea", "coffee", "water"], expires_in=600, multiple=True)
    status = alice.api.status_post("What to drink?", poll=poll)
    assert [o.title for o in status.poll.options] == ["tea", "coffee", "water"]
    assert status.poll.multiple is True
    assert status.poll.expires_at > datetime.now(UTC) + timedelta(seconds=590)

    voted = bob.api.poll_vote(status.poll.id, [0, 2])
    assert voted.voted is True and voted.own_votes == [0, 2]
    carol.api.poll_vote(status.poll, 2)
    seen = alice.api.poll(status.poll.id)
    assert [o.votes_count for o in seen.options] == [1, 0, 2]
    assert seen.votes_count == 3 and seen.voters_count == 2
    assert alice.api.status(status.id).poll.votes_count == 3

    with pytest.raises(MastodonAPIError, match="already voted"):
        bob.api.poll_vote(status.poll.id, [1])
    with pytest.raises(MastodonAPIError, match="own polls"):
        alice.api.poll_vote(status.poll.id, [1])
    with pytest.raises(MastodonNotFoundError):
        bob.api.poll("123456789")


def test_hidden_totals_and_a_private_poll(sign_up: SignUp) -> None:
    alice, bob = sign_up("hidealice"), sign_up("hidebob")
    poll = alice.api.make_poll(["yes", "no"], expires_in=300, hide_totals=True)
    status = alice.api.status_post("Secret ballot", poll=poll, visibility="private")
    assert [o.votes_count for o in status.poll.options] == [None, None]
    with pytest.raises(MastodonNotFoundError):  # bob does not follow alice
        bob.api.poll_vote(status.poll.id, [0])


def test_schedule_list_move_and_cancel(sign_up: SignUp) -> None:
    alice = sign_up("schedalice")
    when = datetime.now(UTC) + timedelta(hours=1)
    scheduled = alice.api.status_post(
        "see you later",
        scheduled_at=when,
        poll=alice.api.make_poll(["a", "b"], expires_in=300),
    )
    assert abs(scheduled.scheduled_at - when) < timedelta(seconds=1)
    assert scheduled.params.text == "see you later"
    assert scheduled.params.poll["options"] == ["a", "b"]
    listed = alice.api.scheduled_statuses()
    assert [s.id for s in listed] == [scheduled.id]
    assert alice.api.scheduled_status(scheduled.id).params.text == "see you later"

    later = when + timedelta(days=1)
    moved = alice.api.scheduled_status_update(scheduled.id, later)
    assert abs(moved.scheduled_at - later) < timedelta(seconds=1)
    with pytest.raises(MastodonAPIError, match="must be in the future"):
        alice.api.scheduled_status_update(scheduled.id, datetime.now(UTC))

    alice.api.scheduled_status_delete(scheduled.id)
    assert alice.api.scheduled_statuses() == []
    with pytest.raises(MastodonNotFoundError):
        alice.api.scheduled_status(scheduled.id)
    # Nothing was posted: a scheduled post is not a status.
    me = alice.api.me()
    assert alice.api.account_statuses(me.id) == []


def test_scheduling_too_soon_is_refused(sign_up: SignUp) -> None:
    alice = sign_up("soonalice")
    with pytest.raises(MastodonAPIError, match="must be in the future"):
        alice.api.status_post("now-ish", scheduled_at=datetime.now(UTC) + timedelta(minutes=1))
