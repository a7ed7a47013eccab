"""An account's standing: what moderation lets it do, and what others may see of it.

Two questions, each answered here and nowhere else:

- May this account act (sign in, use a token, keep a stream open)? Not while its
  email address waits for confirmation, while it waits for approval, is suspended or
  is disabled (``refusal``): every sign-in door (accounts/credentials.py's callers),
  ``deps.load_viewer``, the web page's session and ``streaming/ending.still_valid``
  ask ``refusal``.
- May others see the account itself (in lists of people, search, suggestions)? Only
  once approved and while not suspended (``seen_by_others``). Who may see its *posts* is the
  privacy policy's (``statuses/visibility.withheld``), built on the same columns.

A suspended account keeps its rows (unsuspending restores everything); what others
get of it meanwhile is the Account entity Mastodon shows for one: ``suspended: true``
and nothing else about it (``accounts/render.py``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from roost.accounts.models import Account

# What the API answers (Mastodon's words where it has them), and what a page says.
UNCONFIRMED = "Your login is missing a confirmed e-mail address"
PENDING = "Your login is currently pending approval"
SUSPENDED = "Your account is suspended"
DISABLED = "Your login is currently disabled"
_SENTENCES = {
    UNCONFIRMED: (
        "Your email address is not confirmed yet: follow the link in the mail we sent you."
    ),
    PENDING: "Your account is waiting for a moderator's approval.",
    SUSPENDED: "Your account has been suspended by the moderators of this server.",
    DISABLED: "Your login has been disabled by the moderators of this server.",
}


def refusal(account: Account) -> str | None:
    """Why the account may not act now (sign in, use a token or a stream), or None."""
    if account.confirmed_at is None:
        return UNCONFIRMED
    if not account.approved:
        return PENDING
    if account.suspended_at is not None:
        return SUSPENDED
    if account.disabled_at is not None:
        return DISABLED
    return None


def sentence(refused: str) -> str:
    """A ``refusal`` as a page puts it to a person."""
    return _SENTENCES.get(refused, refused)


def counted(account: int | ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """SQL condition: what ``account`` does (follows, favourites, boosts, replies)
    counts in others' counts; a suspended account's does not, until it is unsuspended
    (moderation/counts.py recounts then)."""
    row = aliased(Account)
    return ~exists().where(row.id == account, row.suspended_at.is_not(None))


def suspended_ids() -> Select[int]:
    """The ids of the suspended accounts, to put in a query (counts leave them out)."""
    return select(Account.id).where(Account.suspended_at.is_not(None))


def is_suspended(account: Account) -> bool:
    return account.suspended_at is not None


def seen_by_others() -> ColumnElement[bool]:
    """SQL condition on ``Account``: others may see the account in lists of people,
    search and suggestions (approved, and not suspended)."""
    return and_(Account.approved.is_(True), Account.suspended_at.is_(None))
