"""Mastodon.py against a live server: profiles, tokens, retries, undo, notification upkeep."""

from __future__ import annotations

import pytest
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError

from tests.clients.helpers import PASSWORD, SCOPES, SignUp, eventually, ids, new_client


def test_lookup_and_update_credentials(sign_up: SignUp, live_server: str) -> None:
    fay, gus = sign_up("fay"), sign_up("gus")
    assert gus.api.account_lookup(fay.username).id == fay.id
    with pytest.raises(MastodonNotFoundError):
        gus.api.account_lookup("nobody_by_this_name")

    updated = fay.api.account_update_credentials(
        display_name="Fay Wray", note="I <b>climb</b> buildings"
    )
    assert updated.display_name == "Fay Wray"
    assert "climb" in updated.note
    assert "<b>" not in updated.note  # what a person typed is text, not markup
    seen = Mastodon(api_base_url=live_server).account(fay.id)
    assert (seen.display_name, seen.note) == ("Fay Wray", updated.note)
    assert fay.api.status_post("now with a name").account.display_name == "Fay Wray"


def test_revoked_token_stops_working(
    sign_up: SignUp, live_server: str, app: tuple[str, str]
) -> None:
    hana = sign_up("hana")
    laptop = new_client(live_server, app)
    laptop.log_in(hana.email, PASSWORD, scopes=SCOPES)
    token = laptop.access_token
    assert laptop.account_verify_credentials().id == hana.id
    laptop.revoke_access_token(allow_http=True)
    stolen = Mastodon(access_token=token, api_base_url=live_server)
    with pytest.raises(MastodonUnauthorizedError):
        stolen.account_verify_credentials()
    assert hana.api.account_verify_credentials().id == hana.id  # other sessions live on


def test_idempotency_key_makes_a_retry_safe(sign_up: SignUp) -> None:
    ines, jack = sign_up("ines"), sign_up("jack")
    first = ines.api.status_post("Posted once, sent twice", idempotency_key="retry-1")
    again = ines.api.status_post("Posted once, sent twice", idempotency_key="retry-1")
    assert again.id == first.id
    assert ids(ines.api.account_statuses(ines.id)) == [first.id]
    assert ines.api.account_verify_credentials().statuses_count == 1
    other = jack.api.status_post("Same key, other person", idempotency_key="retry-1")
    assert other.id != first.id


def test_undo_favourite_and_boost(sign_up: SignUp) -> None:
    kai, lena = sign_up("kai"), sign_up("lena")
    post = kai.api.status_post("Undo me if you can")
    lena.api.status_favourite(post.id)
    boost = lena.api.status_reblog(post.id)
    assert [a.id for a in kai.api.status_favourited_by(post.id)] == [lena.id]
    assert [a.id for a in kai.api.status_reblogged_by(post.id)] == [lena.id]
    assert boost.id in ids(lena.api.account_statuses(lena.id))

    unfavourited = lena.api.status_unfavourite(post.id)
    assert (unfavourited.favourited, unfavourited.favourites_count) == (False, 0)
    unreblogged = lena.api.status_unreblog(post.id)
    assert (unreblogged.reblogged, unreblogged.reblogs_count) == (False, 0)
    assert kai.api.status_favourited_by(post.id) == []
    assert kai.api.status_reblogged_by(post.id) == []
    assert boost.id not in ids(lena.api.account_statuses(lena.id))
    with pytest.raises(MastodonNotFoundError):
        kai.api.status(boost.id)


def test_notification_filters_dismiss_and_clear(sign_up: SignUp) -> None:
    mila, nico = sign_up("mila"), sign_up("nico")
    nico.api.account_follow(mila.id)
    post = mila.api.status_post("Tell me something")
    mention = nico.api.status_post(f"@{mila.username} something")
    nico.api.status_favourite(post.id)

    notes = eventually(mila.api.notifications, lambda notes: len(notes) >= 3)
    assert sorted(n.type for n in notes) == ["favourite", "follow", "mention"]
    only = mila.api.notifications(types=["mention"])
    assert [(n.type, n.status.id) for n in only] == [("mention", mention.id)]
    without = mila.api.notifications(exclude_types=["follow", "favourite"])
    assert [n.type for n in without] == ["mention"]
    assert [n.type for n in mila.api.notifications(account_id=nico.id)] == [n.type for n in notes]

    follow = next(n for n in notes if n.type == "follow")
    assert mila.api.notifications(id=follow.id).type == "follow"
    mila.api.notifications_dismiss(follow.id)
    assert follow.id not in ids(mila.api.notifications())
    with pytest.raises(MastodonNotFoundError):
        mila.api.notifications(id=follow.id)
    with pytest.raises(MastodonNotFoundError):
        nico.api.notifications(id=next(n for n in notes if n.type == "mention").id)

    mila.api.notifications_clear()
    assert mila.api.notifications() == []
