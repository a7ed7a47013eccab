"""Mastodon.py, unchanged from PyPI, against a live ``roost serve``."""

from __future__ import annotations

import re

import httpx
import pytest
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonIllegalArgumentError,
    MastodonNotFoundError,
)

from tests.clients.helpers import (
    OOB,
    PASSWORD,
    SCOPES,
    SignUp,
    authorize_in_browser,
    code_from_browser,
    eventually,
    flat,
    ids,
    new_client,
    pages_backward,
    pages_forward,
)

# --- instance and sign-in ---------------------------------------------------------


def test_instance_v1_and_v2(live_server: str) -> None:
    anonymous = Mastodon(api_base_url=live_server)
    v1 = anonymous.instance_v1()
    domain = live_server.removeprefix("http://")
    assert v1.uri == domain
    assert v1.title
    assert re.match(r"^\d+\.\d+\.\d+", v1.version), v1.version
    v2 = anonymous.instance_v2()
    assert v2.domain == domain
    assert "mastodon" in v2.api_versions
    # Parses the version and reads api_versions; a warning here fails the test.
    anonymous.retrieve_mastodon_version(fail_hard=True)
    assert anonymous.verify_minimum_version("4.0.0", cached=True)
    assert anonymous.mastodon_api_version >= 1
    # Mastodon.py reads this before every login; empty (a 404) is fine, wrong is not.
    oauth = anonymous.oauth_authorization_server_info()
    if "grant_types_supported" in oauth:
        assert {"password", "authorization_code"} <= set(oauth["grant_types_supported"])


def test_create_account_and_duplicate(
    sign_up: SignUp, live_server: str, app: tuple[str, str]
) -> None:
    alice = sign_up("alice")
    me = alice.api.account_verify_credentials()
    assert me.acct == alice.username
    assert me.id.isdigit()
    assert me.statuses_count == 0
    again = new_client(live_server, app)
    token, error = again.create_account(
        alice.username, PASSWORD, "other@example.com", agreement=True, return_detailed_error=True
    )
    assert token is None
    assert error.error
    assert "username" in error.details, error
    with pytest.raises(MastodonIllegalArgumentError):
        again.create_account(f"x{alice.username}", PASSWORD, "x@example.com", agreement=False)


def test_password_login(sign_up: SignUp, live_server: str, app: tuple[str, str]) -> None:
    bob = sign_up("bob")
    api = new_client(live_server, app)
    token = api.log_in(bob.email, PASSWORD, scopes=SCOPES)
    assert token
    assert api.account_verify_credentials().username == bob.username
    with pytest.raises(MastodonIllegalArgumentError):
        new_client(live_server, app).log_in(bob.email, "wrong password", scopes=SCOPES)


def test_authorization_code_login(sign_up: SignUp, live_server: str, app: tuple[str, str]) -> None:
    # Mastodon.py 2.3.3 sends no PKCE challenge: auth_request_url has no such option.
    carol = sign_up("carol")
    api = new_client(live_server, app)
    url = api.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    assert url.startswith(live_server)
    code = code_from_browser(url, carol.email, PASSWORD)
    token = api.log_in(code=code, redirect_uri=OOB, scopes=SCOPES, allow_http=True)
    assert token
    assert api.account_verify_credentials().username == carol.username
    with pytest.raises(MastodonIllegalArgumentError):  # a code works once
        new_client(live_server, app).log_in(code=code, scopes=SCOPES, allow_http=True)

    # A wrong password or a "Deny" shows no code.
    url = api.auth_request_url(redirect_uris=OOB, scopes=SCOPES, allow_http=True)
    refused = authorize_in_browser(url, carol.email, "not my password")
    assert refused.code is None
    assert refused.status_code < 500
    denied = authorize_in_browser(url, carol.email, PASSWORD, approve=False)
    assert denied.code is None
    assert denied.status_code < 500


# --- statuses ---------------------------------------------------------------------


def test_post_read_and_delete(sign_up: SignUp) -> None:
    dana = sign_up("dana")
    posted = dana.api.status_post("Hello from Mastodon.py & friends")
    assert posted.id.isdigit()
    assert "Hello from Mastodon.py &amp; friends" in posted.content
    assert posted.account.id == dana.id
    assert posted.visibility == "public"
    assert posted.reblog is None
    assert dana.api.status(posted.id).id == posted.id
    # Read-your-writes: the author's own post is in the author's home at once.
    assert ids(dana.api.timeline_home())[:1] == [posted.id]
    assert dana.api.account_verify_credentials().statuses_count == 1

    dana.api.status_delete(posted.id)
    with pytest.raises(MastodonNotFoundError):
        dana.api.status(posted.id)
    assert posted.id not in ids(dana.api.timeline_home())
    assert posted.id not in ids(dana.api.account_statuses(dana.id))


def test_post_options_and_profile_filters(sign_up: SignUp, live_server: str) -> None:
    omar = sign_up("omar")
    warned = omar.api.status_post(
        "Spoilers for the finale", spoiler_text="TV", sensitive=True, language="en"
    )
    assert (warned.spoiler_text, warned.sensitive, warned.language) == ("TV", True, "en")
    unlisted = omar.api.status_post("Not for the front page", visibility="unlisted")
    assert unlisted.visibility == "unlisted"
    anonymous = Mastodon(api_base_url=live_server)
    assert ids(anonymous.account_statuses(omar.id)) == [unlisted.id, warned.id]
    public = eventually(anonymous.timeline_public, lambda page: warned.id in ids(page))
    assert warned.id in ids(public)
    assert unlisted.id not in ids(public)
    # Mastodon.py sends these flags as 1/0.
    assert omar.api.account_statuses(omar.id, pinned=True) == []
    assert omar.api.account_statuses(omar.id, only_media=True) == []
    assert ids(omar.api.account_statuses(omar.id, exclude_reblogs=True)) == ids(
        omar.api.account_statuses(omar.id)
    )


def test_thread_boost_favourite_and_notifications(sign_up: SignUp) -> None:
    erin, finn = sign_up("erin"), sign_up("finn")

    relationship = finn.api.account_follow(erin.id)
    assert relationship.following is True
    [seen] = finn.api.account_relationships(erin.id)
    assert (seen.id, seen.following, seen.followed_by) == (erin.id, True, False)
    [back] = erin.api.account_relationships([finn.id])
    assert (back.following, back.followed_by) == (False, True)

    original = erin.api.status_post("What is everyone reading?")
    reply = finn.api.status_post(f"@{erin.username} a book about birds", in_reply_to_id=original)
    assert reply.in_reply_to_id == original.id
    assert reply.in_reply_to_account_id == erin.id
    assert [m.id for m in reply.mentions] == [erin.id]

    boost = finn.api.status_reblog(original.id)
    assert boost.reblog is not None and boost.reblog.id == original.id
    assert boost.account.id == finn.id
    favourited = finn.api.status_favourite(original.id)
    assert favourited.favourited is True

    seen_by_finn = finn.api.status(original.id)
    assert (seen_by_finn.reblogged, seen_by_finn.favourited) == (True, True)
    assert (seen_by_finn.replies_count, seen_by_finn.reblogs_count) == (1, 1)
    assert seen_by_finn.favourites_count == 1

    context = erin.api.status_context(original.id)
    assert ids(context.ancestors) == []
    assert ids(context.descendants) == [reply.id]
    context = erin.api.status_context(reply.id)
    assert ids(context.ancestors) == [original.id]
    assert ids(context.descendants) == []

    wanted = {"follow", "mention", "favourite", "reblog"}
    notes = eventually(erin.api.notifications, lambda notes: wanted <= {n.type for n in notes})
    by_type = {n.type: n for n in notes}
    assert wanted <= set(by_type), [n.type for n in notes]
    assert all(by_type[kind].account.id == finn.id for kind in wanted)
    assert by_type["follow"].status is None
    assert by_type["mention"].status.id == reply.id
    assert by_type["favourite"].status.id == original.id
    assert by_type["reblog"].status.id == original.id
    assert ids(notes) == sorted(ids(notes), key=int, reverse=True)

    # The follower's home shows the original and finn's own reply.
    home = eventually(finn.api.timeline_home, lambda page: original.id in ids(page))
    assert {original.id, reply.id} <= set(ids(home))

    without_replies = finn.api.account_statuses(finn.id, exclude_replies=True)
    assert reply.id not in ids(without_replies)
    assert boost.id in ids(without_replies)


def test_follower_home_and_unfollow(sign_up: SignUp) -> None:
    gina, hugo = sign_up("gina"), sign_up("hugo")
    hugo.api.account_follow(gina.id)
    post = gina.api.status_post("Fresh bread at the market today")
    home = eventually(hugo.api.timeline_home, lambda page: post.id in ids(page))
    assert post.id in ids(home), "a follower never saw the post in 5 s"
    assert hugo.api.account_verify_credentials().following_count == 1
    assert gina.api.account(gina.id).followers_count == 1
    assert [a.id for a in gina.api.account_followers(gina.id)] == [hugo.id]
    assert [a.id for a in hugo.api.account_following(hugo.id)] == [gina.id]

    assert hugo.api.account_unfollow(gina.id).following is False
    home = eventually(hugo.api.timeline_home, lambda page: post.id not in ids(page))
    assert post.id not in ids(home)


# --- paging: every post exactly once, newest first -----------------------------------


def test_home_and_account_paging_exactly_once(sign_up: SignUp) -> None:
    author, reader = sign_up("ivy"), sign_up("jon")
    reader.api.account_follow(author.id)
    posted = [author.api.status_post(f"paging post number {n}").id for n in range(45)]
    newest_first = posted[::-1]
    assert newest_first == sorted(posted, key=int, reverse=True)

    # The author's own home holds every own post at once (read-your-writes).
    pages = list(pages_forward(author.api, author.api.timeline_home(limit=20)))
    assert [len(page) for page in pages] == [20, 20, 5]
    assert flat(pages) == newest_first
    backward = list(pages_backward(author.api, pages[-1]))
    assert [ids(page) for page in backward] == [ids(pages[1]), ids(pages[0])]

    # The follower's home fills as fan-out delivers; refresh until it is complete.
    def reader_home() -> list[str]:
        return flat(pages_forward(reader.api, reader.api.timeline_home(limit=20)))

    seen = eventually(reader_home, lambda got: len(got) >= len(posted), timeout=10)
    assert seen == newest_first

    # New posts arrive above the first page: the prev link returns exactly them.
    first = reader.api.timeline_home(limit=20)
    assert ids(first) == newest_first[:20]
    later = [author.api.status_post(f"later post {n}").id for n in range(3)]
    newer = eventually(lambda: reader.api.fetch_previous(first), lambda page: len(page or []) >= 3)
    # In the order they reached this home (fan-out jobs may finish out of order).
    assert sorted(ids(newer), key=int) == sorted(map(str, later), key=int)
    assert not reader.api.fetch_previous(newer)

    # The profile (account statuses), forward and back.
    everything = later[::-1] + newest_first
    pages = list(pages_forward(reader.api, reader.api.account_statuses(author.id, limit=20)))
    assert [len(page) for page in pages] == [20, 20, 8]
    assert flat(pages) == everything
    backward = list(pages_backward(reader.api, pages[-1]))
    assert [ids(page) for page in backward] == [ids(pages[1]), ids(pages[0])]


# --- search, public and tag timelines ------------------------------------------------


def test_search_accounts_and_statuses(sign_up: SignUp) -> None:
    kate, liam = sign_up("kate"), sign_up("liam")
    post = kate.api.status_post("The quokkaesque sunrise over the bay")
    found = liam.api.search_v2(kate.username)
    assert kate.id in [a.id for a in found.accounts]
    found = eventually(
        lambda: liam.api.search_v2("quokkaesque"),
        lambda result: post.id in ids(result.statuses),
    )
    assert ids(found.statuses) == [post.id]
    assert found.accounts == []
    only_accounts = liam.api.search_v2(kate.username, result_type="accounts")
    assert [a.acct for a in only_accounts.accounts][:1] == [kate.username]
    assert only_accounts.statuses == []


def test_public_and_tag_timelines(sign_up: SignUp, live_server: str) -> None:
    mona = sign_up("mona")
    post = mona.api.status_post("Spotted a heron today #Birdwatching")
    assert [t.name.lower() for t in post.tags] == ["birdwatching"]
    anonymous = Mastodon(api_base_url=live_server)
    public = eventually(anonymous.timeline_public, lambda page: post.id in ids(page))
    assert post.id in ids(public)
    local = mona.api.timeline_local()
    assert post.id in ids(local)
    tagged = eventually(
        lambda: anonymous.timeline_hashtag("birdwatching"), lambda page: post.id in ids(page)
    )
    assert ids(tagged) == [post.id]
    assert ids(mona.api.timeline_hashtag("nosuchtagatall")) == []


# --- bad input reaches the client as an error, never a crash ---------------------------


def test_errors_are_client_errors(sign_up: SignUp, live_server: str) -> None:
    nina = sign_up("nina")
    with pytest.raises(MastodonNotFoundError):
        nina.api.status("12345")
    with pytest.raises(MastodonNotFoundError):
        nina.api.account("999999999")
    with pytest.raises(MastodonAPIError) as empty:
        nina.api.status_post("")
    assert empty.value.args[1] == 422
    with pytest.raises(MastodonAPIError) as too_long:
        nina.api.status_post("x" * 501)
    assert too_long.value.args[1] == 422
    response = httpx.get(f"{live_server}/api/v1/timelines/home")
    assert response.status_code == 401
    assert "error" in response.json()
