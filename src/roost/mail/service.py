"""Email verbs: confirm the address at sign-up, ask for the confirmation again, ask for
a password reset and take its token.

Mail goes out only from the ``send_mail`` job (mail/jobs.py), never in a request: a
request records what is owed (an outbox row) and answers at once. The job makes the
token when it sends, so the token itself is never stored anywhere but in the mail;
the database keeps its SHA-256 (``MailToken``). A token works once and expires:

- confirmation links after ``CONFIRMATION_LIFETIME`` (3 days);
- password reset links after ``RESET_LIFETIME`` (1 hour); using one ends every other
  reset link of the account too.

Asking for a reset answers the same whether or not an account has the address, and
counts against the ``mail_address`` and ``mail_ip`` limits either way.
"""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts import validation
from roost.accounts.models import Account
from roost.core.db import as_utc, commit, utcnow
from roost.core.errors import BadRequest, Forbidden, Unprocessable
from roost.core.ids import new_id
from roost.core.security import new_token, token_digest
from roost.jobs.outbox import schedule_job
from roost.mail import messages, smtp
from roost.mail.models import MailToken

if TYPE_CHECKING:
    from roost.runtime import Runtime

CONFIRMATION = "confirmation"
PASSWORD_RESET = "password_reset"
CONFIRMATION_LIFETIME = timedelta(days=3)
RESET_LIFETIME = timedelta(hours=1)
LIFETIMES = {CONFIRMATION: CONFIRMATION_LIFETIME, PASSWORD_RESET: RESET_LIFETIME}
SEND_JOB = "send_mail"
INVALID_LINK = "This link is not valid: it has expired, was used already, or was mistyped."
NOT_YOUR_APP = "This method is only available to the application the user originally signed-up with"
CONFIRMED_ALREADY = "This method is only available while the e-mail is awaiting confirmation"


def schedule_mail(
    session: AsyncSession, runtime: Runtime, *, purpose: str, account_id: int
) -> None:
    """Owe the account a mail of ``purpose``: the job sends it after commit."""
    schedule_job(session, runtime, SEND_JOB, purpose=purpose, account_id=account_id)


async def send_mail(*, runtime: Runtime, purpose: str, account_id: int) -> None:
    """The job's body: make a token, keep its digest, mail the link. If the server does
    not take the mail, the token is dropped and the error raised: the job retries."""
    async with runtime.db.write() as session:
        account = await session.get(Account, account_id)
        if account is None or account.deleted_at is not None:
            return
        if purpose == CONFIRMATION and account.confirmed_at is not None:
            return  # confirmed meanwhile: nothing to send
        token = new_token()
        row = MailToken(
            id=new_id(),
            account_id=account.id,
            purpose=purpose,
            token_hash=token_digest(token),
            created_at=utcnow(),
            expires_at=utcnow() + LIFETIMES[purpose],
        )
        session.add(row)
        message = _compose(runtime, purpose, account, token)
        token_id = row.id
        await commit(session)
    try:
        await smtp.send(runtime.settings, message)
    except Exception:
        async with runtime.db.write() as session:
            await session.execute(delete(MailToken).where(MailToken.id == token_id))
            await commit(session)
        raise


def _compose(runtime: Runtime, purpose: str, account: Account, token: str) -> EmailMessage:
    compose = (
        messages.confirmation_message
        if purpose == CONFIRMATION
        else messages.password_reset_message
    )
    return compose(
        runtime.settings,
        to=account.email,
        username=account.username,
        token=token,
        lifetime=LIFETIMES[purpose],
    )


async def _take_token(session: AsyncSession, token: str, purpose: str) -> Account:
    """The account of a live token of ``purpose``, marking the token used (once, even
    when two requests race); BadRequest for any other token."""
    if not token or len(token) > 128:
        raise BadRequest(INVALID_LINK)
    now = utcnow()
    row = await session.scalar(
        select(MailToken).where(
            MailToken.token_hash == token_digest(token), MailToken.purpose == purpose
        )
    )
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= now:
        raise BadRequest(INVALID_LINK)
    taken = await session.execute(
        update(MailToken)
        .where(MailToken.id == row.id, MailToken.used_at.is_(None))
        .values(used_at=now)
    )
    account = await session.get(Account, row.account_id)
    if not taken.rowcount or account is None or account.deleted_at is not None:  # type: ignore[attr-defined]
        raise BadRequest(INVALID_LINK)
    return account


async def confirm_email(*, session: AsyncSession, runtime: Runtime, token: str) -> Account:
    """Follow the confirmation link: the account may sign in from now on."""
    account = await _take_token(session, token, CONFIRMATION)
    if account.confirmed_at is None:
        account.confirmed_at = utcnow()
    runtime.accounts.forget(session, [account.id])
    await commit(session)
    return account


async def resend_confirmation(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    app_id: int | None,
    email: str | None,
) -> None:
    """POST /api/v1/emails/confirmations: by the app that registered the account, while
    the address waits for confirmation; ``email`` replaces the address first."""
    await runtime.limiter.hit("mail_address", f"account:{account_id}")
    account = await session.get(Account, account_id)
    if account is None or app_id is None or account.created_by_application_id != app_id:
        raise Forbidden(NOT_YOUR_APP)
    if account.confirmed_at is not None:
        raise Forbidden(CONFIRMED_ALREADY)
    if email is not None:
        address = email.strip().lower()
        errors = validation.Errors()
        validation.check_email(errors, address)
        if not errors.has("email") and address != account.email:
            taken = await session.scalar(select(Account.id).where(Account.email == address))
            if taken is not None:
                errors.add("email", "ERR_TAKEN", "has already been taken")
        errors.raise_if_any()
        account.email = address
    schedule_mail(session, runtime, purpose=CONFIRMATION, account_id=account.id)
    try:
        await commit(session)
    except IntegrityError:  # the address was taken a moment ago (PostgreSQL)
        await session.rollback()
        raise Unprocessable(
            "Validation failed: Email has already been taken",
            details={"email": [{"error": "ERR_TAKEN", "description": "has already been taken"}]},
        ) from None


async def _mail_by_address(
    *, session: AsyncSession, runtime: Runtime, ip: str, email: str, purpose: str
) -> None:
    """Owe a mail of ``purpose`` to the account with this address, if there is one and
    it wants one; the caller answers the same either way."""
    address = email.strip().lower()[: validation.EMAIL_MAX]
    await runtime.limiter.hit("mail_ip", ip)
    await runtime.limiter.hit("mail_address", address)
    if not runtime.settings.mail_enabled or not address:
        return
    account = await session.scalar(
        select(Account).where(Account.email == address, Account.deleted_at.is_(None))
    )
    if account is None or (purpose == CONFIRMATION and account.confirmed_at is not None):
        return
    schedule_mail(session, runtime, purpose=purpose, account_id=account.id)
    await commit(session)


async def request_password_reset(
    *, session: AsyncSession, runtime: Runtime, ip: str, email: str
) -> None:
    """The "forgot password" form: a reset link is mailed if an account has ``email``."""
    await _mail_by_address(
        session=session, runtime=runtime, ip=ip, email=email, purpose=PASSWORD_RESET
    )


async def request_confirmation(
    *, session: AsyncSession, runtime: Runtime, ip: str, email: str
) -> None:
    """The web page's "send the confirmation again" form (by address, signed out)."""
    await _mail_by_address(
        session=session, runtime=runtime, ip=ip, email=email, purpose=CONFIRMATION
    )


async def check_reset_token(*, session: AsyncSession, token: str) -> None:
    """Whether a reset link can still be used (the form is shown); BadRequest if not."""
    row = await session.scalar(
        select(MailToken).where(
            MailToken.token_hash == token_digest(token or ""),
            MailToken.purpose == PASSWORD_RESET,
        )
    )
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        raise BadRequest(INVALID_LINK)


async def take_reset_token(*, session: AsyncSession, token: str) -> Account:
    """Use a reset link: its account, with every reset link of the account spent. The
    caller sets the password and commits (web/service.py: reset_password)."""
    account = await _take_token(session, token, PASSWORD_RESET)
    await session.execute(
        update(MailToken)
        .where(
            MailToken.account_id == account.id,
            MailToken.purpose == PASSWORD_RESET,
            MailToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return account
