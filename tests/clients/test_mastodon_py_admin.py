"""Mastodon.py's ``admin_*`` methods against a live Roost in ``approval`` mode: the
first admin (made with ``roost admin create``, as an operator makes one) approves a
sign-up, which can then sign in, and suspends and unsuspends it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.clients.helpers import OOB, PASSWORD, SCOPES, eventually, new_client

ADMIN_SCOPES = [*SCOPES, "admin:read", "admin:write"]


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    return {"ROOST_REGISTRATIONS": "approval"}


@pytest.fixture(scope="module")
def admin_app(live_server: str) -> tuple[str, str]:
    return Mastodon.create_app(
        "roost moderation", scopes=ADMIN_SCOPES, redirect_uris=OOB, api_base_url=live_server
    )


@pytest.fixture(scope="module")
def admin(live_server: str, live_admin: Callable[..., str], admin_app: tuple[str, str]) -> Mastodon:
    made = live_admin(
        "create", "boss", "--email", "boss@example.com", "--role", "admin", "--password", PASSWORD
    )
    assert made == "Created @boss (admin)"
    api = new_client(live_server, admin_app)
    api.log_in("boss@example.com", PASSWORD, scopes=ADMIN_SCOPES)
    assert api.account_verify_credentials().role.name == "Admin"
    return api


def test_an_approval_mode_sign_up_is_approved_and_signs_in(
    live_server: str, admin_app: tuple[str, str], admin: Mastodon
) -> None:
    newbie = new_client(live_server, admin_app)
    newbie.create_account(
        "newbie",
        PASSWORD,
        "newbie@example.com",
        agreement=True,
        reason="I like birds",
        scopes=SCOPES,
    )
    with pytest.raises(MastodonAPIError) as waiting:
        newbie.account_verify_credentials()
    assert waiting.value.args[1] == 403

    pending = admin.admin_accounts_v2(status="pending")
    assert [a.username for a in pending] == ["newbie"]
    [entry] = pending
    assert entry.approved is False and entry.invite_request == "I like birds"
    assert entry.email == "newbie@example.com" and entry.ip == "127.0.0.1"
    # The moderator was told of the sign-up.
    told = eventually(
        lambda: admin.notifications(types=["admin.sign_up"]), lambda found: len(found) == 1
    )
    assert told[0].account.username == "newbie"

    approved = admin.admin_account_approve(entry.id)
    assert approved.approved is True and approved.username == "newbie"
    assert admin.admin_accounts_v2(status="pending") == []

    signed_in = new_client(live_server, admin_app)
    signed_in.log_in("newbie@example.com", PASSWORD, scopes=SCOPES)
    assert signed_in.account_verify_credentials().username == "newbie"


def test_suspend_and_unsuspend(
    live_server: str, admin_app: tuple[str, str], admin: Mastodon
) -> None:
    target = new_client(live_server, admin_app)
    target.create_account("troll", PASSWORD, "troll@example.com", agreement=True, scopes=SCOPES)
    [found] = admin.admin_accounts_v2(username="troll", status="pending")
    admin.admin_account_approve(found.id)

    admin.admin_account_moderate(found.id, "suspend", text="Trolling")
    assert admin.admin_account(found.id).suspended is True
    assert [a.username for a in admin.admin_accounts_v2(status="suspended")] == ["troll"]
    lifted = admin.admin_account_unsuspend(found.id)
    assert lifted.suspended is False
    assert admin.admin_accounts_v2(status="suspended") == []

    # Acting on oneself is refused.
    me = admin.account_verify_credentials()
    with pytest.raises(MastodonAPIError) as refused:
        admin.admin_account_moderate(me.id, "silence")
    assert refused.value.args[1] == 403


def test_sign_up_blocks(live_server: str, admin_app: tuple[str, str], admin: Mastodon) -> None:
    block = admin.admin_create_email_domain_block("spam.example")
    assert block.domain == "spam.example" and len(block.history) == 7
    assert [b.domain for b in admin.admin_email_domain_blocks()] == ["spam.example"]
    refused, error = new_client(live_server, admin_app).create_account(
        "spammer", PASSWORD, "spammer@spam.example", agreement=True, return_detailed_error=True
    )
    assert refused is None
    assert error.details.email[0].error == "ERR_BLOCKED"
    admin.admin_delete_email_domain_block(block.id)
    assert admin.admin_email_domain_blocks() == []

    rule = admin.admin_create_ip_block("203.0.113.0/24", "sign_up_block", comment="a bot farm")
    assert (rule.ip, rule.severity, rule.comment) == (
        "203.0.113.0/24",
        "sign_up_block",
        "a bot farm",
    )
    changed = admin.admin_update_ip_block(rule.id, severity="sign_up_requires_approval")
    assert changed.severity == "sign_up_requires_approval"
    assert admin.admin_ip_block(rule.id).severity == "sign_up_requires_approval"
    admin.admin_delete_ip_block(rule.id)
    assert admin.admin_ip_blocks() == []
