"""What a moderator does to an account: the verbs every moderation door calls (the
admin API, the moderation screens, ``roost admin``).

Each verb checks the account's state, changes it in the caller's session and
registers its effects to run after commit; the caller commits, so an audit-log row
it writes lands in the same transaction (or nothing does). A verb asked for a state
the account is already in (approving an approved account, suspending a suspended
one) raises ``Unprocessable`` and changes nothing.

What each state does is not written here but where it is asked, once:

- suspended: ``accounts/standing.refusal`` (no sign-in, no token, no stream) and
  ``statuses/visibility.withheld`` (its posts and doings are seen by nobody else);
- silenced: ``withheld`` (seen by its followers only; never on public timelines);
- sensitized: ``statuses/render.py`` (its posts render ``sensitive: true``);
- disabled: ``refusal`` (no sign-in, no token, no stream; its posts stay).

The effects registered here only make the change reach what was kept before it:
rendered accounts and kept home pages (``_account_changed``), the account's own
kept pages and open streams (``_access_ended``), and, for a suspension, the timeline
entries and counts that ``moderation/effects.py`` brings in line by a job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.models import Account
from roost.core.db import utcnow
from roost.core.errors import Unprocessable
from roost.jobs.outbox import schedule_job
from roost.oauth.models import AccessToken
from roost.streaming.ending import end_streams

if TYPE_CHECKING:
    from roost.runtime import Runtime

SETTLE = "moderation_settle"  # moderation/effects.py


async def suspend_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Suspend: the account's tokens, sign-in and streams stop at once; its posts,
    profile and doings vanish for everyone else; its entries leave followers' timelines
    and its doings leave others' counts (a job). Nothing is deleted."""
    if account.suspended_at is not None:
        raise Unprocessable("The account is already suspended")
    account.suspended_at = utcnow()
    _account_changed(session, runtime, account)
    await _access_ended(session, runtime, account)
    schedule_job(session, runtime, SETTLE, account_id=account.id)


async def unsuspend_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Lift a suspension: everything the account had is shown again, its recent posts
    go back into its followers' timelines and its doings into the counts (a job)."""
    if account.suspended_at is None:
        raise Unprocessable("The account is not suspended")
    account.suspended_at = None
    _account_changed(session, runtime, account)
    schedule_job(session, runtime, SETTLE, account_id=account.id)


async def silence_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Silence (Mastodon's "limit"): the account's posts are seen by its followers
    only, and never on public or hashtag timelines or in trends."""
    if account.silenced_at is not None:
        raise Unprocessable("The account is already silenced")
    account.silenced_at = utcnow()
    _account_changed(session, runtime, account)


async def unsilence_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    if account.silenced_at is None:
        raise Unprocessable("The account is not silenced")
    account.silenced_at = None
    _account_changed(session, runtime, account)


async def sensitize_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Mark the account's media sensitive: its posts render ``sensitive: true`` for
    everyone but itself."""
    if account.sensitized_at is not None:
        raise Unprocessable("The account is already marked sensitive")
    account.sensitized_at = utcnow()
    _account_changed(session, runtime, account)


async def unsensitize_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    if account.sensitized_at is None:
        raise Unprocessable("The account is not marked sensitive")
    account.sensitized_at = None
    _account_changed(session, runtime, account)


async def disable_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Disable the login: no sign-in, no token, no stream; the posts stay visible."""
    if account.disabled_at is not None:
        raise Unprocessable("The account's login is already disabled")
    account.disabled_at = utcnow()
    _account_changed(session, runtime, account)
    await _access_ended(session, runtime, account)


async def enable_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    if account.disabled_at is None:
        raise Unprocessable("The account's login is not disabled")
    account.disabled_at = None
    _account_changed(session, runtime, account)


async def approve_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Let a sign-up in: the token it got at registration works from now on."""
    if account.approved:
        raise Unprocessable("The account is already approved")
    account.approved = True
    _account_changed(session, runtime, account)


async def reject_account(*, runtime: Runtime, session: AsyncSession, account: Account) -> None:
    """Turn a sign-up away: the account and everything of it (its tokens, whatever
    else points at it) is deleted, keeping nothing; its name is free again."""
    if account.approved:
        raise Unprocessable("Only an account waiting for approval can be rejected")
    _account_changed(session, runtime, account)
    await _access_ended(session, runtime, account)
    account_id = account.id
    session.expunge(account)
    # Every table that points at an account does so ON DELETE CASCADE.
    await session.execute(delete(Account).where(Account.id == account_id))


def _account_changed(session: AsyncSession, runtime: Runtime, account: Account) -> None:
    """Once committed: its rendered Account entity is forgotten, and with it every kept
    home page that shows one of its posts (the page holds its version)."""
    runtime.accounts.forget(session, [account.id])


async def _access_ended(session: AsyncSession, runtime: Runtime, account: Account) -> None:
    """Once committed: every home page kept for one of its tokens is forgotten (the
    kept-page middleware answers before ``deps.load_viewer`` would refuse the token),
    and its open streams end, on every process."""
    digests = await session.scalars(
        select(AccessToken.token_hash).where(
            AccessToken.account_id == account.id, AccessToken.revoked_at.is_(None)
        )
    )
    runtime.versions.forget(session, "token", digests.all())
    end_streams(session=session, runtime=runtime, account_ids=[account.id])
