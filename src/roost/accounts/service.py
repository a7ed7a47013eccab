"""Account verbs: create an account (``register``: with a token for an app), update a
profile, find an account by id or name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts import validation as v
from roost.accounts.credentials import hash_password_off_loop
from roost.accounts.models import Account
from roost.accounts.preferences import set_preferences
from roost.accounts.render import render_credential_account
from roost.accounts.schemas import CredentialsForm, RegistrationForm
from roost.core.db import commit, utcnow
from roost.core.errors import Forbidden, NotFound
from roost.core.ids import new_id
from roost.follows.relations import follow_requests_count
from roost.jobs.outbox import schedule_job
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
    await _commit_new_account(session, account)
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
    is returned (as Mastodon does) but every use answers 403 until approval.
    """
    account = await _new_account(session=session, runtime=runtime, ip=ip, form=form)
    token, row = grant_token(
        session, app_id=app_token.app_id, account_id=account.id, scopes=app_token.scopes.split()
    )
    await _commit_new_account(session, account)
    return render_token(token, row)


async def _new_account(
    *, session: AsyncSession, runtime: Runtime, ip: str, form: RegistrationForm
) -> Account:
    """Check the server's mode, the rate limit and every field; add the account to
    ``session`` (the caller commits with ``_commit_new_account``)."""
    mode = runtime.settings.registrations
    if mode == "closed":
        raise Forbidden("Registrations are closed on this server")
    await runtime.limiter.hit("register", ip)
    username = (form.username or "").strip()
    email = (form.email or "").strip().lower()
    password = form.password or ""
    errors = v.Errors()
    v.check_username(errors, username)
    v.check_email(errors, email)
    v.check_password(errors, password)
    if not form.agreement:
        errors.add("agreement", "ERR_ACCEPTED", "must be accepted")
    if form.locale and not v.LOCALE.match(form.locale):
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
        approved=mode == "open",
        created_at=utcnow(),
    )
    session.add(account)
    return account


async def _commit_new_account(session: AsyncSession, account: Account) -> None:
    username, email = account.username, account.email
    try:
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
    *, session: AsyncSession, runtime: Runtime, account_id: int, form: CredentialsForm
) -> dict[str, Any]:
    """Change the profile; the CredentialAccount as saved. Unlocking accepts every
    follow request waiting, by a job after commit (as Mastodon does)."""
    errors = v.Errors()
    display_name = form.display_name.strip() if form.display_name is not None else None
    if display_name is not None:
        v.check_length(errors, "display_name", display_name, low=0, high=v.DISPLAY_NAME_MAX)
    if form.note is not None:
        v.check_length(errors, "note", form.note, low=0, high=v.NOTE_MAX)
    errors.raise_if_any()
    account = await session.get(Account, account_id)
    if account is None:
        raise NotFound()
    runtime.accounts.forget(session, [account.id])
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


async def get_account(*, session: AsyncSession, account_id: int) -> Account:
    """A visible account: accounts still waiting for approval do not exist yet."""
    account = await session.get(Account, account_id)
    if account is None or not account.approved:
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
    return account


async def account_initial(*, session: AsyncSession, account_id: int) -> str:
    """The first letter of an account's username, for its generated avatar."""
    username = await session.scalar(select(Account.username).where(Account.id == account_id))
    if username is None:
        raise NotFound()
    return username[0].upper()
