"""Lists and followed hashtags through Mastodon.py, against a live server."""

from __future__ import annotations

from typing import Any

import pytest
from mastodon import MastodonAPIError

from tests.clients.helpers import SignUp, eventually, flat, ids, pages_forward


def test_lists_and_their_timeline(sign_up: SignUp) -> None:
    ada, bob, cy, dee = (
        sign_up("listada"),
        sign_up("listbob"),
        sign_up("listcy"),
        sign_up("listdee"),
    )
    ada.api.account_follow(bob.id)
    ada.api.account_follow(cy.id)
    made: Any = ada.api.list_create("Friends", replies_policy="followed")
    assert (made.title, made.replies_policy, made.exclusive) == ("Friends", "followed", False)
    ada.api.list_accounts_add(made.id, [bob.id, cy.id])
    with pytest.raises(MastodonAPIError):  # not followed
        ada.api.list_accounts_add(made.id, [dee.id])
    assert {a.id for a in ada.api.list_accounts(made.id)} == {bob.id, cy.id}
    assert [x.id for x in ada.api.account_lists(bob.id)] == [made.id]

    said = [bob.api.status_post(f"bob {n}").id for n in range(3)]
    said.append(cy.api.status_post("cy").id)
    dee.api.status_post("not in it")
    every: Any = eventually(
        lambda: ada.api.timeline_list(made.id, limit=40), lambda page: len(page) == 4
    )
    top = ids(every)[0]
    # Each post once, over two pages (deliveries of posts made in a row may land in
    # either order: the list is ordered by delivery).
    everything = flat(pages_forward(ada.api, ada.api.timeline_list(made.id, limit=2)))
    assert everything == ids(every)
    assert sorted(everything) == sorted(said)
    newer = bob.api.status_post("newer").id
    polled = eventually(lambda: ada.api.timeline_list(made.id, min_id=top), lambda page: bool(page))
    assert ids(polled) == [newer]

    renamed: Any = ada.api.list_update(made.id, "Pals", replies_policy="none", exclusive=True)
    assert (renamed.title, renamed.replies_policy, renamed.exclusive) == ("Pals", "none", True)
    assert [x.title for x in ada.api.lists()] == ["Pals"]
    ada.api.list_accounts_delete(made.id, [cy.id])
    assert [a.id for a in ada.api.list_accounts(made.id)] == [bob.id]
    ada.api.list_delete(made.id)
    assert ada.api.lists() == []


def test_followed_tags_reach_home(sign_up: SignUp) -> None:
    ada, cy = sign_up("tagada"), sign_up("tagcy")
    followed: Any = ada.api.tag_follow("roostcats")
    assert followed.following is True
    ada.api.tag_follow("roostdogs")
    assert {t.name for t in ada.api.followed_tags()} == {"roostcats", "roostdogs"}
    assert ada.api.tag("roostcats").following is True

    tagged = cy.api.status_post("#roostcats and #roostdogs").id
    cy.api.status_post("#roostcats but only for followers", visibility="private")
    home: Any = eventually(lambda: ada.api.timeline_home(), lambda page: bool(page))
    assert ids(home) == [tagged]

    unfollowed: Any = ada.api.tag_unfollow("roostcats")
    assert unfollowed.following is False
    assert [t.name for t in ada.api.followed_tags()] == ["roostdogs"]
