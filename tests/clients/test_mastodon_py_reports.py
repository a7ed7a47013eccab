"""Mastodon.py against a live server: filing a report, as Mastodon.py sends it, and a
moderator handling it with Mastodon.py's ``admin_report*`` methods."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from tests.clients.helpers import OOB, PASSWORD, Person, SignUp, eventually, new_client


def test_report_an_account_and_its_posts(sign_up: SignUp) -> None:
    rita, sam = sign_up("rita"), sign_up("sam")
    first = sam.api.status_post("buy cheap watches")
    second = sam.api.status_post("buy more cheap watches", visibility="unlisted")

    report = rita.api.report(
        sam.id, [first.id, second], comment="Spam account", forward=True, category="spam"
    )
    assert (report.category, report.comment) == ("spam", "Spam account")
    assert report.action_taken is False and report.action_taken_at is None
    assert report.forwarded is False
    assert [str(i) for i in report.status_ids] == [str(first.id), str(second.id)]
    assert report.rule_ids is None
    assert str(report.target_account.id) == sam.id and report.target_account.acct == sam.username

    plain = rita.api.report(sam.id)
    assert plain.category == "other" and plain.status_ids == []


def test_report_refusals(sign_up: SignUp) -> None:
    tess, uma = sign_up("tess"), sign_up("uma")
    hidden = uma.api.status_post("only my followers", visibility="private")
    with pytest.raises(MastodonAPIError) as refused:
        tess.api.report(uma.id, [hidden.id])  # Tess does not follow Uma
    assert refused.value.args[1] == 422
    with pytest.raises(MastodonAPIError) as yourself:
        tess.api.report(tess.id)
    assert yourself.value.args[1] == 422
    with pytest.raises(MastodonAPIError) as violation:
        tess.api.report(uma.id, category="violation", rule_ids=["1"])  # no rules exist
    assert violation.value.args[1] == 422
    with pytest.raises(MastodonNotFoundError):
        tess.api.report("424242")


ADMIN_SCOPES = ["read", "write", "admin:read", "admin:write"]


@pytest.fixture(scope="module")
def admin_app(live_server: str) -> tuple[str, str]:
    """A moderation app: it asks for the admin scopes as well."""
    return Mastodon.create_app(
        "roost moderation e2e", scopes=ADMIN_SCOPES, redirect_uris=OOB, api_base_url=live_server
    )


def staff_client(live_server: str, admin_app: tuple[str, str], person: Person) -> Mastodon:
    api = new_client(live_server, admin_app)
    api.log_in(person.email, PASSWORD, scopes=ADMIN_SCOPES)
    return api


def test_moderators_handle_reports(
    sign_up: SignUp,
    live_server: str,
    admin_app: tuple[str, str],
    live_sql: Callable[[str], None],
) -> None:
    rita, sam, mona = sign_up("rita"), sign_up("sam"), sign_up("mona")
    live_sql(f"UPDATE accounts SET role = 'moderator' WHERE username = '{mona.username}'")
    moderator = staff_client(live_server, admin_app, mona)
    spam = sam.api.status_post("buy cheap watches, followers only", visibility="private")
    rita.api.account_follow(sam.id)
    filed = rita.api.report(sam.id, [spam.id], comment="Spam account", category="spam")

    # Mona is told, with the report.
    told = eventually(
        lambda: moderator.notifications(types=["admin.report"]),
        lambda found: len(found) > 0,
    )
    assert told[0].type == "admin.report" and str(told[0].report.id) == str(filed.id)
    assert str(told[0].account.id) == rita.id

    [listed] = [r for r in moderator.admin_reports() if str(r.id) == str(filed.id)]
    assert (listed.category, listed.comment, listed.action_taken) == ("spam", "Spam account", False)
    assert str(listed.account.id) == rita.id and listed.account.email == rita.email
    assert str(listed.target_account.account.id) == sam.id
    assert [str(s.id) for s in listed.statuses] == [str(spam.id)]
    assert [str(r.id) for r in moderator.admin_reports(target_account_id=sam.id)] == [str(filed.id)]
    assert moderator.admin_reports(account_id=sam.id) == []

    assigned = moderator.admin_report_assign(filed.id)
    assert str(assigned.assigned_account.id) == mona.id
    assert moderator.admin_report_unassign(filed.id).assigned_account is None

    resolved = moderator.admin_report_resolve(filed.id)
    assert resolved.action_taken is True and resolved.action_taken_at is not None
    assert str(resolved.action_taken_by_account.id) == mona.id
    assert str(filed.id) not in [str(r.id) for r in moderator.admin_reports()]
    assert str(filed.id) in [str(r.id) for r in moderator.admin_reports(resolved=True)]

    reopened = moderator.admin_report_reopen(filed.id)
    assert reopened.action_taken is False and reopened.action_taken_by_account is None
    assert str(moderator.admin_report(filed.id).id) == str(filed.id)


def test_people_without_a_staff_role_cannot_moderate(
    sign_up: SignUp, live_server: str, admin_app: tuple[str, str]
) -> None:
    tom, una = sign_up("tom"), sign_up("una")
    filed = tom.api.report(una.id)
    # Even a token with the admin scopes: a user's role grants nothing.
    tom_admin = staff_client(live_server, admin_app, tom)
    for call in (
        tom_admin.admin_reports,
        lambda: tom_admin.admin_report(filed.id),
        lambda: tom_admin.admin_report_resolve(filed.id),
        lambda: tom.api.admin_reports(),  # and without them
    ):
        with pytest.raises(MastodonAPIError) as refused:
            call()
        assert refused.value.args[1] == 403
