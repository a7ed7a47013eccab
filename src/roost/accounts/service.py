"""Account verbs: create an account (``register``: with a token for an app), update a
profile, find an account by id or name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts import validation as v
from roost.accounts.avatars import generated_avatar_path
from roost.accounts.credentials import hash_password_off_loop
from roost.accounts.models import Account
from roost.accounts.pictures import (
    Kind,
    StoredPicture,
    clear_picture,
    discard_unused,
    set_pictures,
    store_pictures,
)
from roost.accounts.preferences import set_preferences
from roost.accounts.render import render_credential_account
from roost.accounts.schemas import CredentialsForm, RegistrationForm
from roost.admin.notices import schedule_sign_up_notice
from roost.admin.sign_up_rules import (
    REFUSING,
    REQUIRES_APPROVAL,
    email_domain_blocked,
    ip_block_severity,
    parse_address,
)
from roost.core.db import commit, utcnow, wrote_for
from roost.core.errors import Forbidden, Gone, NotFound, Unprocessable
from roost.core.ids import new_id
from roost.follows.relations import follow_requests_count
from roost.jobs.outbox import schedule_job
from roost.mail.service import CONFIRMATION, schedule_mail
from roost.oauth.models import AccessToken
from roost.oauth.tokens import grant_token, render_token
from roost.statuses.formatting import extract, to_html

if TYPE_CHECKING:
    from roost.runtime import Runtime


async def create_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    ip: str,
    form: RegistrationForm,
) -> Account:
    """Create an account with the registration rules, and no token (the web page signs
    in with a session instead). With ``registrations=approval`` it waits for a moderator
    (``approved`` is false)."""
    account = await _new_account(session=session, runtime=runtime, ip=ip, form=form)
    await _commit_new_account(session, runtime, account)
    return account


async def register(
    *,
    session: AsyncSession,
    runtime: Runtime,
    ip: str,
    app_token: AccessToken,
    form: RegistrationForm,
) -> dict[str, Any]:
    """Create an account and a token for it, carrying the app token's scopes.

    With ``registrations=approval`` the account waits for a moderator: the token
    is returned (as Mastodon does) but every use answers 403 until approval. So it does
    while the address awaits confirmation (when Roost sends mail).
    """
    account = await _new_account(
        session=session, runtime=runtime, ip=ip, form=form, app_id=app_token.app_id
    )
    token, row = grant_token(
        session, app_id=app_token.app_id, account_id=account.id, scopes=app_token.scopes.split()
    )
    await _commit_new_account(session, runtime, account)
    return render_token(token, row)


async def _new_account(
    *,
    session: AsyncSession,
    runtime: Runtime,
    ip: str,
    form: RegistrationForm,
    app_id: int | None = None,
) -> Account:
    """Check the server's mode, the rate limit, the sign-up blocks (admin/sign_up_rules.py)
    and every field; add the account to ``session`` (the caller commits with
    ``_commit_new_account``). When Roost sends mail, the address waits for confirmation
    and the mail is owed (sent by a job)."""
    mode = runtime.settings.registrations
    if mode == "closed":
        raise Forbidden("Registrations are closed on this server")
    await runtime.limiter.hit("register", ip)
    username = (form.username or "").strip()
    email = (form.email or "").strip().lower()
    password = form.password or ""
    # The blocks are read apart from ``session``: its write transaction must not begin
    # before the password is hashed (on SQLite every other writer would wait for it).
    async with runtime.db.read() as reading:
        ip_rule = await ip_block_severity(reading, ip)
        email_blocked = await email_domain_blocked(reading, email)
    if ip_rule in REFUSING:
        raise Unprocessable("Sign-ups from your network are not allowed on this server")
    errors = v.Errors()
    v.check_username(errors, username)
    v.check_email(errors, email)
    if email_blocked and not errors.has("email"):
        errors.add("email", "ERR_BLOCKED", "uses a disallowed e-mail provider")
    v.check_password(errors, password)
    if not form.agreement:
        errors.add("agreement", "ERR_ACCEPTED", "must be accepted")
    if form.locale and not v.check_locale(form.locale):
        errors.add("locale", "ERR_INCLUSION", "is not included in the list")
    if form.reason and len(form.reason) > v.REASON_MAX:
        errors.add("reason", "ERR_TOO_LONG", f"is too long (maximum is {v.REASON_MAX} characters)")
    if errors:
        await check_taken(session, errors, username, email)
        errors.raise_if_any()
    # Hash before the write transaction begins: it is the slow part.
    password_hash = await hash_password_off_loop(password)
    await check_taken(session, errors, username, email)
    errors.raise_if_any()
    account = Account(
        id=new_id(),
        username=username,
        username_lower=username.lower(),
        email=email,
        password_hash=password_hash,
        approved=mode == "open" and ip_rule != REQUIRES_APPROVAL,
        created_at=utcnow(),
        confirmed_at=None if runtime.settings.mail_enabled else utcnow(),
        created_by_application_id=app_id,
        sign_up_ip=str(address) if (address := parse_address(ip)) else None,
        locale=form.locale or None,
        sign_up_reason=form.reason or None,
    )
    session.add(account)
    if account.confirmed_at is None:
        schedule_mail(session, runtime, purpose=CONFIRMATION, account_id=account.id)
    return account


async def _commit_new_account(session: AsyncSession, runtime: Runtime, account: Account) -> None:
    """Commit the new account; the staff hear of it after commit (``admin.sign_up``)."""
    username, email = account.username, account.email
    awaits_confirmation = account.confirmed_at is None
    schedule_sign_up_notice(session, runtime, account_id=account.id)
    wrote_for(session, [account.id])  # its first reads, with the new token, see it
    try:
        if awaits_confirmation:
            # A None would take the column's default (confirmed now) in the INSERT:
            # clear it once the row is written.
            await session.flush()
            account.confirmed_at = None
        await commit(session)
    except IntegrityError:  # a concurrent sign-up took the name first (PostgreSQL)
        await session.rollback()
        errors = v.Errors()
        await check_taken(session, errors, username, email)
        errors.raise_if_any()
        raise


async def check_taken(session: AsyncSession, errors: v.Errors, username: str, email: str) -> None:
    """Add ERR_TAKEN for a username or email that another account already has."""
    checks = (
        ("username", username, Account.username_lower == username.lower()),
        ("email", email, Account.email == email),
    )
    for field, value, condition in checks:
        if (
            value
            and not errors.has(field)
            and await session.scalar(select(Account.id).where(condition))
        ):
            errors.add(field, "ERR_TAKEN", "has already been taken")


async def render_note(session: AsyncSession, note: str, *, runtime: Runtime) -> str:
    """A bio as HTML: escaped, paragraphs and line breaks, links, local @mentions."""
    settings = runtime.settings
    wanted = extract(note, domain=settings.domain).mentions
    mentioned: dict[str, Account] = {}
    if wanted:
        rows = await session.scalars(select(Account).where(Account.username_lower.in_(wanted)))
        mentioned = {account.username_lower: account for account in rows.all()}
    return to_html(note, mentioned, base_url=settings.base_url, domain=settings.domain)


async def show_credentials(
    *, session: AsyncSession, runtime: Runtime, account: Account
) -> dict[str, Any]:
    """The signed-in person's CredentialAccount."""
    return render_credential_account(
        account,
        base_url=runtime.settings.base_url,
        follow_requests_count=await follow_requests_count(session, account.id),
    )


async def update_credentials(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    form: CredentialsForm,
    pictures: Mapping[Kind, bytes] | None = None,
) -> dict[str, Any]:
    """Change the profile; the CredentialAccount as saved. Unlocking accepts every
    follow request waiting, by a job after commit (as Mastodon does). ``pictures`` (an
    avatar, a header) are checked and stored before anything else is written: a refused
    one changes nothing (accounts/pictures.py)."""
    errors = v.Errors()
    display_name = form.display_name.strip() if form.display_name is not None else None
    if display_name is not None:
        v.check_length(errors, "display_name", display_name, low=0, high=v.DISPLAY_NAME_MAX)
    if form.note is not None:
        v.check_length(errors, "note", form.note, low=0, high=v.NOTE_MAX)
    errors.raise_if_any()
    # Before the write transaction begins: processing is the slow part.
    stored = (
        await store_pictures(runtime=runtime, account_id=account_id, uploads=pictures)
        if pictures
        else []
    )
    try:
        return await _save_credentials(
            session=session,
            runtime=runtime,
            account_id=account_id,
            form=form,
            display_name=display_name,
            stored=stored,
        )
    except BaseException:
        await discard_unused(runtime, account_id, stored)
        raise


async def _save_credentials(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_id: int,
    form: CredentialsForm,
    display_name: str | None,
    stored: list[StoredPicture],
) -> dict[str, Any]:
    # Locked (PostgreSQL) when pictures change: two uploads at once each remove the
    # file the other replaced, never one that is still named.
    account = await session.get(Account, account_id, with_for_update=bool(stored))
    if account is None:
        raise NotFound()
    runtime.accounts.forget(session, [account.id])
    set_pictures(session, runtime, account, stored)
    if account.locked and form.locked is False:
        schedule_job(session, runtime, "accept_follow_requests", account_id=account.id)
    if display_name is not None:
        account.display_name = display_name
    if form.note is not None:
        account.note = form.note
        account.note_html = await render_note(session, form.note, runtime=runtime)
    for field in ("locked", "bot", "discoverable"):
        value = getattr(form, field)
        if value is not None:
            setattr(account, field, value)
    if form.source is not None:
        set_preferences(
            account,
            privacy=form.source.privacy,
            sensitive=form.source.sensitive,
            language=form.source.language,
        )
    saved = await show_credentials(session=session, runtime=runtime, account=account)
    await commit(session)
    return saved


async def remove_picture(
    *, session: AsyncSession, runtime: Runtime, account_id: int, kind: Kind
) -> dict[str, Any]:
    """Back to the generated avatar or the default header (DELETE /api/v1/profile/...);
    the CredentialAccount. Having none already is no error."""
    account = await session.get(Account, account_id, with_for_update=True)
    if account is None:
        raise NotFound()
    clear_picture(session, runtime, account, kind)
    saved = await show_credentials(session=session, runtime=runtime, account=account)
    await commit(session)
    return saved


async def get_account(*, session: AsyncSession, account_id: int) -> Account:
    """A visible account: accounts still waiting for approval do not exist yet, and
    deleted ones no more."""
    account = await session.get(Account, account_id)
    if account is None or not account.approved or account.deleted_at is not None:
        raise NotFound()
    return account


async def lookup_account(*, session: AsyncSession, acct: str, domain: str) -> Account:
    """``bob``, ``@bob`` or ``bob@<our domain>``; other domains are not ours to know."""
    username, at, host = acct.strip().removeprefix("@").partition("@")
    ours = {domain.lower(), domain.lower().split(":")[0]}
    if not username or (at and host.lower() not in ours):
        raise NotFound()
    account = await session.scalar(
        select(Account).where(Account.username_lower == username.lower())
    )
    if account is None or not account.approved:
        raise NotFound()
    if account.deleted_at is not None:
        raise Gone("This account was deleted by its owner.")
    return account


async def generated_avatar_address(*, session: AsyncSession, account_id: int) -> str:
    """The address of an account's generated avatar (for the old per-account one)."""
    username = await session.scalar(select(Account.username).where(Account.id == account_id))
    if username is None:
        raise NotFound()
    return generated_avatar_path(account_id, username)
