"""Mastodon.py against a live server: filing a report, as Mastodon.py sends it."""

from __future__ import annotations

import pytest
from mastodon import MastodonAPIError, MastodonNotFoundError

from tests.clients.helpers import SignUp


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
