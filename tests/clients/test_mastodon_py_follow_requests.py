"""Mastodon.py against a live server: locked accounts, follow requests, the bell, timed
mutes, private notes and familiar followers."""

from __future__ import annotations

import pytest
from mastodon import MastodonNotFoundError

from tests.clients.helpers import SignUp, eventually, ids


def test_follow_requests_of_a_locked_account(sign_up: SignUp) -> None:
    owner, asker, other = sign_up("lock"), sign_up("ask"), sign_up("oth")
    owner.api.account_update_credentials(locked=True)
    secret = owner.api.status_post("only for followers", visibility="private")

    asked = asker.api.account_follow(owner.id)
    assert asked.requested is True and asked.following is False
    other.api.account_follow(owner.id)
    waiting = owner.api.follow_requests()
    assert [a.id for a in waiting] == [other.id, asker.id]  # newest first
    assert owner.api.account_verify_credentials().source.follow_requests_count == 2
    [note, *_] = owner.api.notifications()
    assert note.type == "follow_request" and note.account.id == other.id
    assert owner.api.account_relationships(asker.id)[0].requested_by is True
    with pytest.raises(MastodonNotFoundError):
        asker.api.status(secret.id)

    accepted = owner.api.follow_request_authorize(asker.id)
    assert accepted.followed_by is True
    rejected = owner.api.follow_request_reject(other.id)
    assert rejected.followed_by is False
    assert owner.api.follow_requests() == []
    assert asker.api.account_relationships(owner.id)[0].following is True
    assert other.api.account_relationships(owner.id)[0].requested is False
    assert asker.api.status(secret.id).id == secret.id
    home = eventually(asker.api.timeline_home, lambda page: secret.id in ids(page))
    assert secret.id in ids(home)
    assert owner.api.account(owner.id).followers_count == 1


def test_bell_mute_with_duration_note_and_familiar_followers(sign_up: SignUp) -> None:
    author, fan, friend = sign_up("auth"), sign_up("fan"), sign_up("frnd")
    assert fan.api.account_follow(author.id, notify=True).notifying is True
    posted = author.api.status_post("ring ring")
    told = eventually(
        lambda: fan.api.notifications(types=["status"]),
        lambda page: any(n.status.id == posted.id for n in page),
    )
    assert [n.type for n in told] == ["status"]

    fan.api.account_mute(friend.id, duration=3600)
    [muted] = fan.api.mutes()
    assert muted.id == friend.id and muted.mute_expires_at is not None

    noted = fan.api.account_note_set(friend.id, "met at the café")
    assert noted.note == "met at the café"

    friend.api.account_follow(author.id)
    fan.api.account_unmute(friend.id)
    fan.api.account_follow(friend.id)
    [familiar] = fan.api.account_familiar_followers(author.id)
    assert familiar.id == author.id
    assert [a.id for a in familiar.accounts] == [friend.id]
