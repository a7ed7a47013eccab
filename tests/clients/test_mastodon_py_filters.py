"""Mastodon.py against a live server: filters v2 (groups, keywords, statuses) and v1, and
what they do to the timelines Mastodon.py reads."""

from __future__ import annotations

import pytest
from mastodon import MastodonNotFoundError

from tests.clients.helpers import SignUp, eventually, ids


def test_filters_v2_round_trip_and_their_effect(sign_up: SignUp) -> None:
    olga, pete = sign_up("olga"), sign_up("pete")
    olga.api.account_follow(pete.id)
    made = olga.api.create_filter_v2(
        title="Cats",
        context=["home", "public"],
        filter_action="warn",
        keywords_attributes=[{"keyword": "cat", "whole_word": True}],
    )
    assert (made.title, made.filter_action, made.context) == ("Cats", "warn", ["home", "public"])
    assert [k.keyword for k in made.keywords] == ["cat"] and made.expires_at is None
    assert [f.id for f in olga.api.filters_v2()] == [made.id]
    assert olga.api.filter_v2(made.id).title == "Cats"

    dog = olga.api.add_filter_keyword_v2(made.id, "dog", whole_word=False)
    assert (dog.keyword, dog.whole_word) == ("dog", False)
    assert [k.keyword for k in olga.api.filter_keywords_v2(made.id)] == ["cat", "dog"]

    cat_post = pete.api.status_post("a Cat on the mat")
    hotdog = pete.api.status_post("hotdogs for lunch")
    plain = pete.api.status_post("nothing to see")
    home = eventually(olga.api.timeline_home, lambda page: len(page) == 3)
    by_id = {s.id: s for s in home}
    assert [r.filter.title for r in by_id[cat_post.id].filtered] == ["Cats"]
    assert by_id[cat_post.id].filtered[0].keyword_matches == ["cat"]
    assert by_id[hotdog.id].filtered[0].keyword_matches == ["dog"]  # not whole words
    assert by_id[plain.id].filtered == []

    updated = olga.api.update_filter_v2(
        made.id,
        filter_action="hide",
        keywords_attributes=[{"id": dog.id, "_destroy": True}],
    )
    assert updated.filter_action == "hide" and [k.keyword for k in updated.keywords] == ["cat"]
    assert ids(olga.api.timeline_home()) == [plain.id, hotdog.id]

    status_filter = olga.api.add_filter_status_v2(made.id, plain.id)
    assert status_filter.status_id == plain.id
    assert [s.id for s in olga.api.filter_statuses_v2(made.id)] == [status_filter.id]
    assert olga.api.filter_status_v2(status_filter.id).status_id == plain.id
    assert ids(olga.api.timeline_home()) == [hotdog.id]
    olga.api.delete_filter_status_v2(status_filter.id)
    olga.api.delete_filter_keyword_v2(updated.keywords[0].id)
    assert len(olga.api.timeline_home()) == 3

    olga.api.delete_filter_v2(made.id)
    assert olga.api.filters_v2() == []
    with pytest.raises(MastodonNotFoundError):
        olga.api.filter_v2(made.id)
    # Pete's view never had Olga's filters.
    assert all(s.filtered == [] for s in pete.api.account_statuses(pete.id))


def test_filters_v1_are_keywords_of_the_same_filters(sign_up: SignUp) -> None:
    quin, rosa = sign_up("quin"), sign_up("rosa")
    made = quin.api.filter_create("spoiler", ["public", "thread"], irreversible=True)
    assert (made.phrase, made.irreversible, made.whole_word) == ("spoiler", True, True)
    assert made.context == ["public", "thread"]
    [group] = quin.api.filters_v2()
    assert group.filter_action == "hide" and [k.id for k in group.keywords] == [made.id]

    rosa.api.status_post("no spoilers here")  # not the whole word
    rosa.api.status_post("a SPOILER ahead")
    public = [s for s in quin.api.timeline_public() if s.account.id == rosa.id]
    assert [s.content for s in public] == ["<p>no spoilers here</p>"]

    changed = quin.api.filter_update(made.id, phrase="spoilers", irreversible=False)
    assert (changed.phrase, changed.irreversible) == ("spoilers", False)
    assert quin.api.filter(made.id).phrase == "spoilers"
    listed = quin.api.filters()
    assert [f.phrase for f in listed] == ["spoilers"]
    # Mastodon.py's own client-side matching reads the v1 filters as given.
    public = [s for s in quin.api.timeline_public() if s.account.id == rosa.id]
    assert len(public) == 2
    kept = quin.api.filters_apply(public, listed, "public")
    assert [s.content for s in kept] == ["<p>a SPOILER ahead</p>"]

    quin.api.filter_delete(made.id)
    assert quin.api.filters() == [] and quin.api.filters_v2() == []
