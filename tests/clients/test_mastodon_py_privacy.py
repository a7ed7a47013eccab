"""Mastodon.py against a live server: followers-only and direct posts, blocks and mutes."""

from __future__ import annotations

import pytest
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from tests.clients.helpers import Person, SignUp, eventually, ids


def settle(reader: Person, author: Person, text: str) -> str:
    """Have ``author`` post a public marker and wait until it reaches ``reader``'s home.

    Fan-out is asynchronous; once a later post has arrived, an earlier one that should
    have been delivered would be there too, so its absence means something.
    """
    marker = author.api.status_post(text).id
    home = eventually(reader.api.timeline_home, lambda page: marker in ids(page))
    assert marker in ids(home), f"{text!r} never reached the reader's home"
    return marker


def test_followers_only_post(sign_up: SignUp, live_server: str) -> None:
    author, follower, stranger = sign_up("olga"), sign_up("pete"), sign_up("quin")
    follower.api.account_follow(author.id)
    secret = author.api.status_post("Followers only: the zanzibarian plans", visibility="private")
    assert secret.visibility == "private"
    public = settle(follower, author, "and a public one")

    assert secret.id in ids(follower.api.timeline_home())
    assert follower.api.status(secret.id).visibility == "private"
    assert secret.id in ids(follower.api.account_statuses(author.id))

    with pytest.raises(MastodonNotFoundError):
        stranger.api.status(secret.id)
    with pytest.raises(MastodonNotFoundError):
        stranger.api.status_context(secret.id)
    assert ids(stranger.api.account_statuses(author.id)) == [public]
    anonymous = Mastodon(api_base_url=live_server)
    assert ids(anonymous.account_statuses(author.id)) == [public]
    assert secret.id not in ids(anonymous.timeline_public())
    assert secret.id not in ids(follower.api.timeline_public())
    assert secret.id not in ids(stranger.api.search_v2("zanzibarian").statuses)

    with pytest.raises(MastodonAPIError) as refused:
        follower.api.status_reblog(secret.id)
    assert refused.value.args[1] in {403, 404, 422}
    assert author.api.status(secret.id).reblogs_count == 0


def test_direct_post(sign_up: SignUp) -> None:
    author, recipient, follower = sign_up("rosa"), sign_up("sami"), sign_up("tomi")
    follower.api.account_follow(author.id)
    direct = author.api.status_post(
        f"@{recipient.username} the surprise party", visibility="direct"
    )
    assert direct.visibility == "direct"
    assert [m.id for m in direct.mentions] == [recipient.id]
    settle(follower, author, "nothing to see here")

    notes = eventually(
        recipient.api.notifications, lambda notes: any(n.type == "mention" for n in notes)
    )
    assert [(n.type, n.status.id) for n in notes] == [("mention", direct.id)]
    assert recipient.api.status(direct.id).visibility == "direct"
    assert direct.id in ids(author.api.timeline_home())

    with pytest.raises(MastodonNotFoundError):
        follower.api.status(direct.id)
    assert direct.id not in ids(follower.api.timeline_home())
    assert direct.id not in ids(follower.api.account_statuses(author.id))
    assert direct.id not in ids(follower.api.timeline_public())


def test_block(sign_up: SignUp) -> None:
    alma, boris = sign_up("alma"), sign_up("boris")
    alma.api.account_follow(boris.id)
    boris.api.account_follow(alma.id)
    before = boris.api.status_post("Before the block")
    eventually(alma.api.timeline_home, lambda page: before.id in ids(page))
    alma_post = alma.api.status_post("Alma's own thoughts")

    relationship = alma.api.account_block(boris.id)
    assert (relationship.blocking, relationship.following) == (True, False)
    [seen] = boris.api.account_relationships(alma.id)
    assert (seen.following, seen.followed_by) == (False, False)
    assert seen.blocked_by is True
    assert [a.id for a in alma.api.blocks()] == [boris.id]

    after = boris.api.status_post("After the block")
    assert before.id not in ids(alma.api.timeline_home())
    assert after.id not in ids(alma.api.timeline_home())
    assert not {before.id, after.id} & set(ids(alma.api.timeline_public()))
    with pytest.raises(MastodonNotFoundError):
        boris.api.status(alma_post.id)
    assert alma_post.id not in ids(boris.api.timeline_public())
    with pytest.raises(MastodonAPIError):
        boris.api.account_follow(alma.id)
    with pytest.raises(MastodonNotFoundError):
        boris.api.status_favourite(alma_post.id)
    assert alma.api.status(alma_post.id).favourites_count == 0

    assert alma.api.account_unblock(boris.id).blocking is False
    assert alma.api.blocks() == []
    assert boris.api.status(alma_post.id).id == alma_post.id


def test_mute(sign_up: SignUp) -> None:
    cleo, dmitri, elke = sign_up("cleo"), sign_up("dmitri"), sign_up("elke")
    cleo.api.account_follow(dmitri.id)
    cleo.api.account_follow(elke.id)

    relationship = cleo.api.account_mute(dmitri.id)
    assert (relationship.muting, relationship.following) == (True, True)
    assert [a.id for a in cleo.api.mutes()] == [dmitri.id]
    muted = dmitri.api.status_post("Loud opinions about parking")
    settle(cleo, elke, "A quiet note")
    assert muted.id not in ids(cleo.api.timeline_home())
    assert muted.id not in ids(cleo.api.timeline_public())
    assert cleo.api.status(muted.id).id == muted.id  # opened on purpose: still readable

    assert cleo.api.account_unmute(dmitri.id).muting is False
    assert cleo.api.mutes() == []
