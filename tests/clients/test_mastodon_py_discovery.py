"""Mastodon.py, unchanged from PyPI, reads trends, suggestions, featured tags,
preferences, announcements, domain blocks and push through its own methods."""

from __future__ import annotations

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from tests.clients.helpers import SignUp


def test_discovery_through_mastodon_py(sign_up: SignUp) -> None:
    ana, ben, cleo = sign_up("ana"), sign_up("ben"), sign_up("cleo")
    ana.api.account_follow(ben.id)
    ben.api.account_follow(cleo.id)
    ana.api.status_post("Tomatoes! #gardening")
    ben.api.status_post("Compost day #gardening #compost")
    seeds = cleo.api.status_post("Seed swap Saturday #gardening")
    ben.api.status_favourite(seeds.id)
    ana.api.status_reblog(seeds.id)

    tags = ana.api.trending_tags()
    assert [t.name for t in tags] == ["gardening", "compost"]
    assert len(tags[0].history) == 7 and int(tags[0].history[0].accounts) == 3
    statuses = ana.api.trending_statuses()
    assert [s.id for s in statuses] == [seeds.id]
    assert ana.api.trending_links() == []

    suggested = ana.api.suggestions_v2()
    assert suggested[0].account.username == cleo.username  # ben, whom ana follows, follows her
    assert suggested[0].sources == ["friends_of_friends"]
    ana.api.suggestion_delete(cleo.id)
    assert cleo.username not in [a.username for a in ana.api.suggestions()]

    featured = ana.api.featured_tag_create("gardening")
    assert featured.name == "gardening" and int(featured.statuses_count) == 1
    assert [t.name for t in ana.api.featured_tags()] == ["gardening"]
    assert [t.name for t in ben.api.account_featured_tags(ana.id)] == ["gardening"]
    assert {t.name for t in ben.api.featured_tag_suggestions()} == {"gardening", "compost"}
    ana.api.featured_tag_delete(featured.id)
    assert ana.api.featured_tags() == []

    me = ana.api.account_update_credentials(
        default_privacy="unlisted", default_sensitive=True, default_language="pt"
    )
    assert me.source.privacy == "unlisted"
    prefs = ana.api.preferences()
    assert prefs["posting:default:visibility"] == "unlisted"
    assert prefs["posting:default:sensitive"] is True
    assert prefs["posting:default:language"] == "pt"
    posted = ana.api.status_post("defaults apply")
    # Mastodon.py always sends sensitive=False itself: a value sent wins over the default.
    assert (posted.visibility, posted.sensitive, posted.language) == ("unlisted", False, "pt")

    assert ana.api.announcements() == []

    ana.api.domain_block("spam.example")
    assert ana.api.domain_blocks() == ["spam.example"]
    ana.api.domain_unblock("spam.example")
    assert ana.api.domain_blocks() == []

    with pytest.raises(MastodonNotFoundError):
        ana.api.push_subscription()
    with pytest.raises(MastodonAPIError):
        ana.api.push_subscription_set(
            "https://push.example/1", {"pubkey": b"\x04" + b"\x00" * 64, "auth": b"\x00" * 16}
        )
