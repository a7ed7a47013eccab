"""Mastodon.py, unchanged from PyPI: editing a post and reading its history and source,
bookmarks, pins and muting a conversation, against a live ``roost serve``."""

from __future__ import annotations

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from tests.clients.helpers import SignUp, eventually, ids


def test_edit_history_and_source(sign_up: SignUp) -> None:
    gail, hank = sign_up("gail"), sign_up("hank")
    original = gail.api.status_post("Frist post", spoiler_text="typo ahead")
    assert original.edited_at is None
    edited = gail.api.status_update(original.id, "First post", spoiler_text="fixed")
    assert edited.id == original.id and edited.edited_at is not None
    assert "First post" in edited.content and edited.spoiler_text == "fixed"

    history = hank.api.status_history(original.id)
    assert ["Frist" in v.content for v in history] == [True, False]
    assert [v.spoiler_text for v in history] == ["typo ahead", "fixed"]
    assert history[0].account.id == gail.id
    source = gail.api.status_source(original.id)
    assert (source.id, source.text, source.spoiler_text) == (original.id, "First post", "fixed")

    with pytest.raises(MastodonNotFoundError):
        hank.api.status_update(original.id, "not mine")
    with pytest.raises(MastodonAPIError):
        gail.api.status_update(original.id, "")
    assert "First post" in hank.api.status(original.id).content


def test_bookmarks(sign_up: SignUp) -> None:
    ivy, jack = sign_up("ivy"), sign_up("jack")
    posts = [ivy.api.status_post(f"worth keeping {n}") for n in range(3)]
    for status in posts:
        assert jack.api.status_bookmark(status.id).bookmarked is True
    assert jack.api.status_bookmark(posts[0].id).bookmarked is True  # again: the same
    first = jack.api.bookmarks(limit=2)
    assert ids(first) == [posts[2].id, posts[1].id]
    rest = jack.api.fetch_next(first)
    assert rest is not None and ids(rest) == [posts[0].id]
    assert jack.api.status_unbookmark(posts[1].id).bookmarked is False
    assert ids(jack.api.bookmarks()) == [posts[2].id, posts[0].id]
    assert ivy.api.bookmarks() == []
    assert ivy.api.status(posts[0].id).bookmarked is False


def test_pins(sign_up: SignUp) -> None:
    kim, lee = sign_up("kim"), sign_up("lee")
    older = kim.api.status_post("about me")
    newer = kim.api.status_post("what I do")
    assert kim.api.status_pin(older.id).pinned is True
    assert kim.api.status_pin(newer.id).pinned is True
    pinned = lee.api.account_statuses(kim.id, pinned=True)
    assert ids(pinned) == [newer.id, older.id]
    assert all(s.pinned is False for s in pinned)  # not lee's to pin
    assert all(s.pinned for s in kim.api.account_statuses(kim.id, pinned=True))
    with pytest.raises(MastodonAPIError):
        lee.api.status_pin(older.id)  # someone else's post
    assert kim.api.status_unpin(older.id).pinned is False
    assert ids(lee.api.account_statuses(kim.id, pinned=True)) == [newer.id]


def test_mute_a_conversation(sign_up: SignUp) -> None:
    mia, ned = sign_up("mia"), sign_up("ned")
    root = mia.api.status_post("a busy thread")
    first = ned.api.status_post(f"@{mia.username} hello", in_reply_to_id=root)
    eventually(mia.api.notifications, lambda notes: first.id in [n.status.id for n in notes])
    assert mia.api.status_mute(root.id).muted is True
    assert mia.api.status(first.id).muted is True
    muted = ned.api.status_post(f"@{mia.username} still here?", in_reply_to_id=first)
    elsewhere = ned.api.status_post(f"@{mia.username} new topic")
    notes = eventually(
        mia.api.notifications, lambda notes: elsewhere.id in [n.status.id for n in notes]
    )
    assert muted.id not in [n.status.id for n in notes if n.status]
    assert mia.api.status_unmute(root.id).muted is False
