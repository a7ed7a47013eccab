"""What the admin endpoints read, and (for the OpenAPI document only) what they answer."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from roost.core.http import PageParams, paging
from roost.core.inputs import Id

DEFAULT_LIMIT = 100
MAX_LIMIT = 200
MAX_EXPIRES_IN = 10 * 366 * 24 * 3600  # ten years, in seconds


class AdminPageParams(PageParams):
    """Admin lists page 100 at a time by default, at most 200 (Mastodon's numbers)."""

    limit: int = Field(
        default=DEFAULT_LIMIT, description=f"At most {MAX_LIMIT}; out of 1..{MAX_LIMIT} clamped"
    )

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, MAX_LIMIT))


admin_page_params = paging(AdminPageParams)


def _as_text_list(value: object) -> object:
    """``role_ids[]=1&role_ids[]=2``, one ``role_ids=1``, or JSON numbers: a list of text."""
    values = value if isinstance(value, list) else [value]
    return [str(item) if isinstance(item, int | str) else item for item in values]


class AccountSearch(BaseModel):
    """The text filters both versions share: prefix matches (username, display name,
    email), and lookups that Roost's local-only, invite-less accounts never match."""

    username: str | None = None
    display_name: str | None = None
    by_domain: str | None = None
    email: str | None = None
    ip: str | None = None


class AccountsV1Params(AccountSearch):
    """``GET /api/v1/admin/accounts``: flags, each narrowing the list; by default the
    local accounts that are not suspended."""

    local: bool = False
    remote: bool = False
    active: bool = False
    pending: bool = False
    disabled: bool = False
    silenced: bool = False
    suspended: bool = False
    sensitized: bool = False
    staff: bool = False


class AccountsV2Params(AccountSearch):
    """``GET /api/v2/admin/accounts``: no filter by default."""

    origin: str | None = Field(default=None, description="local or remote")
    status: str | None = Field(
        default=None, description="active, pending, disabled, silenced, suspended or sensitized"
    )
    permissions: str | None = Field(default=None, description="staff")
    role_ids: list[str] = []
    invited_by: str | None = None

    _lists = field_validator("role_ids", mode="before")(_as_text_list)


class ActionForm(BaseModel):
    """``POST /api/v1/admin/accounts/:id/action``."""

    type: str | None = Field(default=None, description="none, sensitive, disable, silence, suspend")
    report_id: Id | None = None
    warning_preset_id: str | None = None
    text: str = ""
    send_email_notification: bool = False


class EmailDomainBlockForm(BaseModel):
    domain: str | None = None


class IpBlockForm(BaseModel):
    """Create (``severity`` required) or change (every field optional) an IP block."""

    ip: str | None = None
    severity: str | None = Field(
        default=None, description="sign_up_requires_approval, sign_up_block or no_access"
    )
    comment: str | None = None
    expires_in: int | None = Field(default=None, ge=1, le=MAX_EXPIRES_IN)


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class AdminIp(BaseModel):
    ip: str
    used_at: str


class AdminAccount(BaseModel):
    """Mastodon's Admin::Account entity (``admin/render.py``)."""

    id: str
    username: str
    domain: str | None
    created_at: str
    email: str
    ip: str | None
    ips: list[AdminIp]
    role: dict[str, Any]
    confirmed: bool
    suspended: bool
    silenced: bool
    sensitized: bool
    disabled: bool
    approved: bool
    locale: str | None
    invite_request: str | None
    account: dict[str, Any]


class AdminEmailDomainBlock(BaseModel):
    id: str
    domain: str
    created_at: str
    history: list[dict[str, str]]


class AdminIpBlock(BaseModel):
    id: str
    ip: str
    severity: str
    comment: str
    created_at: str
    expires_at: str | None
