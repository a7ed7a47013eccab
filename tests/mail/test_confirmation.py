"""Email confirmation at sign-up, through a real SMTP server on loopback: with
ROOST_SMTP_URL set an account cannot sign in until the link in its mail is followed;
without it nothing waits for a mail."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from roost.jobs.models import OutboxJob
from roost.mail.service import SEND_JOB
from roost.runtime import Runtime
from tests.factories import PASSWORD
from tests.mail.conftest import Mailing
from tests.oauth.support import app_token, bearer, password_token, register_app
from tests.smtp import body, link_in
from tests.web.helpers import csrf_of, login

UNCONFIRMED = "Your login is missing a confirmed e-mail address"


async def web_signup(client: httpx.AsyncClient, username: str) -> httpx.Response:
    page = await client.get("/signup")
    return await client.post(
        "/signup",
        data={
            "username": username,
            "email": f"{username}@mail.example",
            "password": PASSWORD,
            "agreement": "1",
            "csrf_token": csrf_of(page.text),
        },
    )


def local(link: str) -> str:
    """The path and query of a link in a mail (the in-process client's base is ours)."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def test_web_signup_waits_for_the_mailed_link_then_signs_in(mailing: Mailing) -> None:
    client = mailing.client
    created = await web_signup(client, "maya")
    assert created.status_code == 200
    assert "We sent a mail to maya@mail.example" in created.text
    assert "roost_session" not in created.cookies  # not signed in
    await mailing.settle()

    [mail] = mailing.inbox.to("maya@mail.example")
    assert mail["From"] == "Roost <mail@roost.test>"
    assert "Confirm your email" in mail["Subject"]
    link = link_in(mail)
    assert link.startswith("http://localhost/auth/confirmation?confirmation_token=")
    assert "for 3 days" in body(mail)

    refused = await login(client, "maya")
    assert refused.status_code == 403
    assert "Your email address is not confirmed yet" in refused.text

    confirmed = await client.get(local(link))
    assert confirmed.status_code == 200
    assert "your email address is confirmed" in confirmed.text
    signed_in = await login(client, "maya")
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/home"

    again = await client.get(local(link))  # the link works once
    assert again.status_code == 400
    assert "This link is not valid" in again.text


async def test_api_signup_token_answers_403_until_confirmed(mailing: Mailing) -> None:
    client = mailing.client
    app = await register_app(client)
    token = await app_token(client, app, "read write follow")
    made = await client.post(
        "/api/v1/accounts",
        data={
            "username": "theo",
            "email": "theo@mail.example",
            "password": PASSWORD,
            "agreement": "true",
        },
        headers=bearer(token),
    )
    assert made.status_code == 200, made.text
    theo = bearer(made.json()["access_token"])
    await mailing.settle()
    assert len(mailing.inbox.to("theo@mail.example")) == 1

    me = await client.get("/api/v1/accounts/verify_credentials", headers=theo)
    assert me.status_code == 403 and me.json()["error"] == UNCONFIRMED
    grant = await password_token(client, app, "theo@mail.example", PASSWORD)
    assert grant.status_code == 403 and grant.json()["error_description"] == UNCONFIRMED

    # Only the app that registered the account may ask for the mail again.
    other_app = await register_app(client, name="Another app")
    stranger = await client.post(
        "/api/v1/emails/confirmations",
        headers=bearer(await app_token(client, other_app, "read")),
    )
    assert stranger.status_code == 422  # an app token acts for nobody
    resent = await client.post("/api/v1/emails/confirmations", headers=theo)
    assert resent.status_code == 200 and resent.json() == {}
    # The job reads the address when it runs: let it run before the address changes.
    await mailing.settle()
    # A new address replaces the old one; the mail goes there.
    moved = await client.post(
        "/api/v1/emails/confirmations", data={"email": "theo@new.example"}, headers=theo
    )
    assert moved.status_code == 200
    await mailing.settle()
    assert len(mailing.inbox.to("theo@mail.example")) == 2
    [mail] = mailing.inbox.to("theo@new.example")

    assert (await client.get(local(link_in(mail)))).status_code == 200
    me = await client.get("/api/v1/accounts/verify_credentials", headers=theo)
    assert me.status_code == 200 and me.json()["username"] == "theo"
    done = await client.post("/api/v1/emails/confirmations", headers=theo)
    assert done.status_code == 403
    assert done.json()["error"] == (
        "This method is only available while the e-mail is awaiting confirmation"
    )


async def test_only_the_registering_app_may_resend(mailing: Mailing) -> None:
    """A person's token from an app that did not register the account is refused with
    Mastodon's words."""
    client = mailing.client
    user = await mailing.factory.user("sam")  # made by no app
    refused = await client.post("/api/v1/emails/confirmations", headers=user.headers)
    assert refused.status_code == 403
    assert refused.json()["error"] == (
        "This method is only available to the application the user originally signed-up with"
    )
    await mailing.settle()
    assert mailing.inbox.messages == []


async def test_resend_form_answers_the_same_for_any_address(mailing: Mailing) -> None:
    client = mailing.client
    await web_signup(client, "priya")
    await mailing.settle()
    page = await client.get("/auth/confirmation/new")
    answers = []
    for address in ("priya@mail.example", "nobody@mail.example"):
        answer = await client.post(
            "/auth/confirmation", data={"email": address, "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 200
        answers.append(answer.text.replace(address, "ADDRESS"))
    assert answers[0] == answers[1]
    await mailing.settle()
    assert len(mailing.inbox.to("priya@mail.example")) == 2
    assert mailing.inbox.to("nobody@mail.example") == []


async def test_without_smtp_nothing_waits_for_a_mail(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    created = await web_signup(client, "sam_k")
    assert created.status_code == 303 and created.headers["location"] == "/home"
    assert (await client.get("/home")).status_code == 200
    app = await register_app(client)
    made = await client.post(
        "/api/v1/accounts",
        data={
            "username": "ola",
            "email": "ola@mail.example",
            "password": PASSWORD,
            "agreement": "1",
        },
        headers=bearer(await app_token(client, app, "read write")),
    )
    ola = bearer(made.json()["access_token"])
    assert (await client.get("/api/v1/accounts/verify_credentials", headers=ola)).status_code == 200
    resend = await client.post("/api/v1/emails/confirmations", headers=ola)
    assert resend.status_code == 403
    async with runtime.db.read() as session:
        mails = await session.scalars(select(OutboxJob).where(OutboxJob.kind == SEND_JOB))
        assert mails.all() == []
    login_page = await client.get("/login")
    assert "Didn't get the confirmation mail?" not in login_page.text
