"""The admin list of accounts: the filters of both API versions turned into one
``AccountFilter``, and the page it selects (Mastodon's ``AccountFilter``).

Text filters are prefix matches that ignore case (username, display name, email), as
Mastodon's are. Roost's accounts are all local and nobody is invited, so
``origin=remote``, ``by_domain`` and ``invited_by`` select nobody. ``ip`` is the
address an account signed up from: one address matches exactly; a range (CIDR) is
refused (400), since the address is kept as text on both databases; anything that is
not an address selects nobody, as on Mastodon. An unknown ``origin``, ``status`` or
``permissions`` is a 400 (Mastodon's ``InvalidParameterError``).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from roost.accounts.admin_render import render_admin_account
from roost.accounts.models import Account
from roost.accounts.roles import ROLES, Permission
from roost.admin.schemas import AccountSearch, AccountsV1Params, AccountsV2Params, AdminPageParams
from roost.admin.sign_up_rules import parse_address
from roost.core.errors import BadRequest
from roost.core.paging import Page, paginate

if TYPE_CHECKING:
    from roost.runtime import Runtime

ORIGINS = ("local", "remote")
STATUSES = ("active", "pending", "disabled", "silenced", "suspended", "sensitized")
# ``permissions=staff`` (v2) and ``staff`` (v1): the roles that can manage reports.
STAFF_ROLES = tuple(name for name, role in ROLES.items() if role.allows(Permission.MANAGE_REPORTS))
_ROLE_BY_ID = {role.id: name for name, role in ROLES.items()}


@dataclass(frozen=True)
class AccountFilter:
    origin: str | None = None
    status: str | None = None
    roles: tuple[str, ...] | None = None  # None: any role; (): none matches
    nobody: bool = False  # a filter no Roost account can match (remote, invited, ...)
    username: str | None = None
    display_name: str | None = None
    email: str | None = None
    ip: str | None = None


def _given(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _texts(params: AccountSearch) -> dict[str, str | None]:
    return {
        "username": _given(params.username),
        "display_name": _given(params.display_name),
        "email": _given(params.email),
        "ip": _given(params.ip),
    }


def filter_v1(params: AccountsV1Params) -> AccountFilter:
    """v1's flags: local accounts that are not suspended unless a flag says otherwise
    (the last status flag given wins, as on Mastodon)."""
    status = "active"
    for flag in ("active", "pending", "disabled", "silenced", "suspended", "sensitized"):
        if getattr(params, flag):
            status = flag
    return AccountFilter(
        origin="remote" if params.remote else "local",
        status=status,
        roles=STAFF_ROLES if params.staff else None,
        nobody=params.remote or _given(params.by_domain) is not None,
        **_texts(params),
    )


def filter_v2(params: AccountsV2Params) -> AccountFilter:
    origin, status = _given(params.origin), _given(params.status)
    if origin is not None and origin not in ORIGINS:
        raise BadRequest(f"Unknown origin: {origin}")
    if status is not None and status not in STATUSES:
        raise BadRequest(f"Unknown status: {status}")
    permissions = _given(params.permissions)
    if permissions not in (None, "staff"):
        raise BadRequest(f"Unknown permissions: {permissions}")
    roles: tuple[str, ...] | None = STAFF_ROLES if permissions == "staff" else None
    wanted = [str(role_id).strip() for role_id in params.role_ids if str(role_id).strip()]
    if wanted:
        named = tuple(_ROLE_BY_ID[i] for i in wanted if i in _ROLE_BY_ID)
        roles = named if roles is None else tuple(r for r in roles if r in named)
    nobody = (
        origin == "remote"
        or _given(params.by_domain) is not None
        or _given(params.invited_by) is not None
    )
    return AccountFilter(origin=origin, status=status, roles=roles, nobody=nobody, **_texts(params))


def _status_condition(status: str) -> ColumnElement[bool]:
    conditions = {
        "active": Account.suspended_at.is_(None),
        "pending": Account.approved.is_(False),
        "suspended": Account.suspended_at.is_not(None),
        "disabled": Account.disabled_at.is_not(None) & Account.suspended_at.is_(None),
        "silenced": Account.silenced_at.is_not(None),
        "sensitized": Account.sensitized_at.is_not(None),
    }
    return conditions[status]


def _ip_condition(text: str) -> ColumnElement[bool]:
    address = parse_address(text)
    if address is not None:
        return Account.sign_up_ip == str(address)
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return false()
    if network.num_addresses == 1:
        return Account.sign_up_ip == str(network.network_address)
    raise BadRequest("Validation failed: ip: give one address (ranges are not supported)")


async def list_accounts_v1(
    *, session: AsyncSession, runtime: Runtime, params: AccountsV1Params, page: AdminPageParams
) -> Page[dict[str, Any]]:
    return await list_accounts(
        session=session, runtime=runtime, account_filter=filter_v1(params), page=page
    )


async def list_accounts_v2(
    *, session: AsyncSession, runtime: Runtime, params: AccountsV2Params, page: AdminPageParams
) -> Page[dict[str, Any]]:
    return await list_accounts(
        session=session, runtime=runtime, account_filter=filter_v2(params), page=page
    )


async def list_accounts(
    *,
    session: AsyncSession,
    runtime: Runtime,
    account_filter: AccountFilter,
    page: AdminPageParams,
) -> Page[dict[str, Any]]:
    """One page of the accounts the filter selects, newest first (paged by id), as
    Admin::Account entities."""
    query = select(Account)
    f = account_filter
    if f.nobody or f.roles == ():
        query = query.where(false())
    if f.status is not None:
        query = query.where(_status_condition(f.status))
    if f.roles:
        query = query.where(Account.role.in_(f.roles))
    if f.username is not None:
        query = query.where(Account.username_lower.startswith(f.username.lower(), autoescape=True))
    if f.display_name is not None:
        query = query.where(
            func.lower(Account.display_name).startswith(f.display_name.lower(), autoescape=True)
        )
    if f.email is not None:
        query = query.where(Account.email.startswith(f.email.lower(), autoescape=True))
    if f.ip is not None:
        query = query.where(_ip_condition(f.ip))
    found: Page[Account] = await paginate(session, query, key=Account.id, page=page)
    base_url = runtime.settings.base_url
    return found.with_items([render_admin_account(a, base_url=base_url) for a in found.items])


async def pending_accounts(*, session: AsyncSession, limit: int | None = None) -> list[Account]:
    """The sign-ups waiting for approval (``status=pending``), oldest first (the first
    to have waited): the moderation screen's list and ``roost admin pending``."""
    query = select(Account).where(_status_condition("pending")).order_by(Account.id)
    rows = await session.scalars(query.limit(limit) if limit is not None else query)
    return list(rows.all())
