"""Mastodon.py against a live server: direct conversations and grouped notifications."""

from __future__ import annotations

from tests.clients.helpers import SignUp, eventually


def test_conversations(sign_up: SignUp) -> None:
    alice, bob = sign_up("cora"), sign_up("dmitri")
    sent = alice.api.status_post(f"@{bob.username} shall we?", visibility="direct")
    listed = eventually(bob.api.conversations, lambda page: len(page) == 1)
    [conversation] = listed
    assert conversation.unread is True
    assert conversation.last_status.id == sent.id
    assert [a.id for a in conversation.accounts] == [alice.id]

    read = bob.api.conversations_read(conversation.id)
    assert read.unread is False
    assert bob.api.conversations()[0].unread is False

    reply = bob.api.status_post(
        f"@{alice.username} yes", visibility="direct", in_reply_to_id=sent.id
    )
    mine = eventually(
        alice.api.conversations,
        lambda page: bool(page) and page[0].last_status.id == reply.id,
    )
    assert len(mine) == 1 and mine[0].unread is True


def test_grouped_notifications(sign_up: SignUp) -> None:
    alice, bob, carol = sign_up("erin"), sign_up("fritz"), sign_up("gale")
    status = alice.api.status_post("favourite me")
    bob.api.status_favourite(status.id)
    carol.api.status_favourite(status.id)
    bob.api.status_post(f"@{alice.username} and a mention")

    results = alice.api.grouped_notifications()
    groups = results.notification_groups
    assert [g.type for g in groups] == ["mention", "favourite"]
    favourites = groups[1]
    assert favourites.notifications_count == 2
    assert [str(a) for a in favourites.sample_account_ids] == [carol.id, bob.id]
    assert {a.id for a in results.accounts} == {bob.id, carol.id}
    assert alice.api.notifications_unread_count().count == 3
    assert alice.api.unread_grouped_notifications_count() == 2

    one = alice.api.grouped_notification(favourites.group_key)
    assert one.notification_groups[0].notifications_count == 2
    people = alice.api.grouped_notification_accounts(favourites.group_key)
    assert [a.id for a in people] == [carol.id, bob.id]
    alice.api.dismiss_grouped_notification(favourites.group_key)
    assert [g.type for g in alice.api.grouped_notifications().notification_groups] == ["mention"]
