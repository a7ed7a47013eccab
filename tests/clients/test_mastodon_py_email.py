"""Email against a live Roost with ROOST_SMTP_URL set, mail read from a real SMTP server
on loopback: Mastodon.py's sign-up waits for the confirmation link (and asks for the
mail again), and a password reset mail's link works once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError

from tests.clients.helpers import PASSWORD, SCOPES, new_client
from tests.smtp import Inbox, free_port, link_in, smtp_server

SMTP_PORT = free_port()


@pytest.fixture(scope="module")
def live_server_env() -> dict[str, str]:
    """Mail through the module's SMTP server on loopback."""
    return {
        "ROOST_SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "ROOST_SMTP_FROM": "Roost <mail@roost.test>",
    }


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    with smtp_server(SMTP_PORT) as (_, received):
        yield received


def mail_to(inbox: Inbox, address: str, count: int = 1) -> str:
    """The link of the ``count``-th mail to ``address``, once the server's job sent it."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        mails = inbox.to(address)
        if len(mails) >= count:
            return link_in(mails[count - 1])
        time.sleep(0.05)
    raise AssertionError(f"no mail number {count} reached {address}")


def csrf(page: httpx.Response) -> str:
    marker = 'name="csrf-token" content="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


def test_sign_up_waits_for_the_confirmation_link(
    live_server: str, app: tuple[str, str], inbox: Inbox
) -> None:
    api = new_client(live_server, app)
    token = api.create_account(
        "mailed", PASSWORD, "mailed@example.com", agreement=True, scopes=SCOPES
    )
    assert token
    with pytest.raises(MastodonAPIError, match="missing a confirmed e-mail address"):
        api.account_verify_credentials()
    api.email_resend_confirmation()
    link = mail_to(inbox, "mailed@example.com", count=2)
    with httpx.Client() as browser:
        assert browser.get(link).status_code == 200
        assert browser.get(link).status_code == 400  # once
    assert api.account_verify_credentials().username == "mailed"


def test_a_reset_mail_link_works_once(live_server: str, app: tuple[str, str], inbox: Inbox) -> None:
    api = new_client(live_server, app)
    api.create_account(
        "forgetful", PASSWORD, "forgetful@example.com", agreement=True, scopes=SCOPES
    )
    with httpx.Client(base_url=live_server) as browser:
        browser.get(mail_to(inbox, "forgetful@example.com"))  # confirm the address first
        page = browser.get("/auth/password/new")
        asked = browser.post(
            "/auth/password", data={"email": "forgetful@example.com", "csrf_token": csrf(page)}
        )
        assert asked.status_code == 200
        link = mail_to(inbox, "forgetful@example.com", count=2)
        token = parse_qs(urlsplit(link).query)["reset_password_token"][0]
        form = browser.get(link)
        assert form.status_code == 200
        new = {
            "reset_password_token": token,
            "password": "my new password",
            "csrf_token": csrf(form),
        }
        assert browser.post("/auth/password/edit", data=new).status_code == 200
        again = browser.post("/auth/password/edit", data={**new, "password": "and again!"})
        assert again.status_code == 400
    fresh = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=live_server)
    fresh.log_in("forgetful@example.com", "my new password", scopes=SCOPES)
    assert fresh.account_verify_credentials().username == "forgetful"
    with pytest.raises(MastodonAPIError):
        api.account_verify_credentials()  # the reset revoked the old token
