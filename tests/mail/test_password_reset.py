"""Password reset by mail, through a real SMTP server on loopback: the link works once
and expires; the form answers the same whether or not the address has an account;
asking is rate-limited; a mail server that is down delays the mail, never the
request; without SMTP an administrator resets passwords."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import func, select, update

from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.core.security import verify_password
from roost.jobs.models import OutboxJob
from roost.mail.models import MailToken
from roost.mail.service import SEND_JOB
from roost.runtime import Runtime
from tests.conftest import AppClient
from tests.factories import PASSWORD, Factory
from tests.mail.conftest import Mailing
from tests.smtp import body, free_port, link_in, smtp_server
from tests.web.helpers import csrf_of, login, signed_in

NEW_PASSWORD = "a brand new password"


async def ask_reset(client: httpx.AsyncClient, email: str) -> httpx.Response:
    page = await client.get("/auth/password/new")
    return await client.post(
        "/auth/password", data={"email": email, "csrf_token": csrf_of(page.text)}
    )


async def set_password(client: httpx.AsyncClient, link: str, password: str) -> httpx.Response:
    """Open the mailed link and send its form."""
    parts = urlsplit(link)
    token = parse_qs(parts.query)["reset_password_token"][0]
    page = await client.get(f"{parts.path}?{parts.query}")
    csrf = csrf_of(page.text)
    return await client.post(
        "/auth/password/edit",
        data={"reset_password_token": token, "password": password, "csrf_token": csrf},
    )


async def test_the_reset_link_sets_a_new_password_once(mailing: Mailing) -> None:
    client = mailing.client
    maya = await mailing.factory.user("maya")
    other_browser = httpx.AsyncClient(transport=client._transport, base_url="http://localhost")
    async with other_browser:
        await signed_in(other_browser, "maya")

        asked = await ask_reset(client, "Maya@Example.com")
        assert asked.status_code == 200
        assert "a mail with a link to choose a new password is on its way" in asked.text
        await mailing.settle()
        [mail] = mailing.inbox.to("maya@example.com")
        assert "Reset your password" in mail["Subject"]
        assert "for 1 hour" in body(mail)
        link = link_in(mail)
        assert link.startswith("http://localhost/auth/password/edit?reset_password_token=")

        done = await set_password(client, link, NEW_PASSWORD)
        assert done.status_code == 200
        assert "Your password is changed" in done.text
        # Every token and every browser of the account is signed out.
        revoked = await client.get("/api/v1/accounts/verify_credentials", headers=maya.headers)
        assert revoked.status_code == 401
        assert (await other_browser.get("/home")).status_code == 303
    assert (await login(client, "maya")).status_code == 401  # the old password
    assert (await login(client, "maya", NEW_PASSWORD)).status_code == 303

    parts = urlsplit(link)
    assert (await client.get(f"{parts.path}?{parts.query}")).status_code == 400
    token = parse_qs(parts.query)["reset_password_token"][0]
    page = await client.get("/auth/password/new")
    again = await client.post(
        "/auth/password/edit",
        data={
            "reset_password_token": token,
            "password": "yet another one",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert again.status_code == 400 and "This link is not valid" in again.text
    async with mailing.runtime.db.read() as session:
        stored = await session.scalar(
            select(Account.password_hash).where(Account.id == maya.account.id)
        )
    assert stored is not None and verify_password(stored, NEW_PASSWORD)


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailing: Mailing) -> None:
    client = mailing.client
    await mailing.factory.user("theo")
    known = await ask_reset(client, "theo@example.com")
    unknown = await ask_reset(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("theo@example.com", "X") == unknown.text.replace(
        "nobody@example.com", "X"
    )
    await mailing.settle()
    assert [m["To"] for m in mailing.inbox.messages] == ["theo@example.com"]


async def test_an_expired_link_is_refused(mailing: Mailing) -> None:
    client = mailing.client
    await mailing.factory.user("priya")
    await ask_reset(client, "priya@example.com")
    await mailing.settle()
    link = link_in(mailing.inbox.to("priya@example.com")[0])
    async with mailing.runtime.db.write() as session:
        await session.execute(update(MailToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        await session.commit()
    parts = urlsplit(link)
    assert (await client.get(f"{parts.path}?{parts.query}")).status_code == 400
    page = await client.get("/auth/password/new")
    token = parse_qs(parts.query)["reset_password_token"][0]
    refused = await client.post(
        "/auth/password/edit",
        data={
            "reset_password_token": token,
            "password": NEW_PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
    )
    assert refused.status_code == 400
    assert (await login(client, "priya", NEW_PASSWORD)).status_code == 401


async def test_tokens_are_stored_hashed(mailing: Mailing) -> None:
    await mailing.factory.user("sam_k")
    await ask_reset(mailing.client, "sam_k@example.com")
    await mailing.settle()
    token = parse_qs(urlsplit(link_in(mailing.inbox.messages[0])).query)["reset_password_token"][0]
    async with mailing.runtime.db.read() as session:
        [stored] = (await session.scalars(select(MailToken.token_hash))).all()
        jobs = (await session.scalars(select(OutboxJob.payload))).all()
    assert token not in stored and len(stored) == 64
    assert all(token not in str(payload) for payload in jobs)


async def test_asking_is_rate_limited_per_address(app_client: AppClient) -> None:
    with smtp_server() as (url, inbox):
        async with app_client(smtp_url=url, rate_limits=True) as (client, runtime):
            await Factory(runtime).user("ola")
            for _ in range(5):
                assert (await ask_reset(client, "ola@example.com")).status_code == 200
            limited = await ask_reset(client, "OLA@example.com")
            assert limited.status_code == 429 and "Retry-After" in limited.headers
            assert "Too many attempts" in limited.text
            # The same limit holds for an address nobody has: no answer tells them apart.
            for _ in range(5):
                await ask_reset(client, "ghost@example.com")
            assert (await ask_reset(client, "ghost@example.com")).status_code == 429
            await runtime.jobs.drain()
            assert len(inbox.to("ola@example.com")) == 5


async def test_a_mail_server_that_is_down_delays_the_mail_not_the_request(
    app_client: AppClient,
) -> None:
    """Nothing listens at the SMTP address: the form answers at once, the job fails and
    keeps its row (no token is left behind); once the server is up the sweep's retry
    delivers a working link."""
    port = free_port()
    async with app_client(smtp_url=f"smtp://127.0.0.1:{port}") as (client, runtime):
        await Factory(runtime).user("ines")
        asked = await ask_reset(client, "ines@example.com")
        assert asked.status_code == 200
        await runtime.jobs.drain()
        async with runtime.db.read() as session:
            [job] = (
                await session.scalars(select(OutboxJob).where(OutboxJob.kind == SEND_JOB))
            ).all()
            tokens = await session.scalar(select(func.count()).select_from(MailToken))
        assert job.attempts == 1 and job.last_error
        assert tokens == 0

        with smtp_server(port) as (_, inbox):
            async with runtime.db.write() as session:  # the retry is due now
                await session.execute(update(OutboxJob).values(next_attempt_at=utcnow()))
                await session.commit()
            await runtime.jobs.sweep()
            await wait_until_done(runtime)
            [mail] = inbox.to("ines@example.com")
        assert (await set_password(client, link_in(mail), NEW_PASSWORD)).status_code == 200
        assert (await login(client, "ines", NEW_PASSWORD)).status_code == 303


async def wait_until_done(runtime: Runtime, seconds: float = 20) -> None:
    """Poll until the outbox is empty (the retried job ran)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        async with runtime.db.read() as session:
            if not await session.scalar(select(func.count()).select_from(OutboxJob)):
                return
        await asyncio.sleep(0.05)
    raise AssertionError("the mail job did not finish")


async def test_without_smtp_an_administrator_resets_passwords(
    client: httpx.AsyncClient, runtime: Runtime, factory: Factory
) -> None:
    await factory.user("maya")
    page = await client.get("/auth/password/new")
    assert "Ask its administrator to reset your password" in page.text
    assert 'id="forgot-password"' not in page.text
    asked = await client.post(
        "/auth/password", data={"email": "maya@example.com", "csrf_token": csrf_of(page.text)}
    )
    assert asked.status_code == 200
    async with runtime.db.read() as session:
        assert not (await session.scalars(select(OutboxJob))).all()
    assert 'href="/auth/password/new"' in (await client.get("/login")).text
    assert (await login(client, "maya", PASSWORD)).status_code == 303
