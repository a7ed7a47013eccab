"""What the report endpoints read and answer (answers: OpenAPI document only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from roost.core.http import PageParams
from roost.core.inputs import Id, IdList


class ReportParams(BaseModel):
    account_id: Id
    status_ids: IdList = []
    comment: str = ""
    forward: bool = False
    category: str | None = None
    rule_ids: IdList = []


class Report(BaseModel):
    id: str
    action_taken: bool
    action_taken_at: str | None
    category: str
    comment: str
    forwarded: bool
    created_at: str
    status_ids: list[str] | None
    rule_ids: list[str] | None
    target_account: dict[str, Any]


# ---- the admin reports API (``review.py``) ----


class AdminReportFilter(BaseModel):
    """``GET /api/v1/admin/reports``: open reports unless ``resolved``; by reporter
    (``account_id``) and by target."""

    resolved: bool = False
    account_id: Id | None = None
    target_account_id: Id | None = None


class AdminReportPage(PageParams):
    """Mastodon's numbers for this list: 100 by default, at most 200."""

    limit: int = Field(default=100, description="At most 200; out of 1..200 clamped")

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, 200))


class AdminReportUpdate(BaseModel):
    category: str | None = None
    rule_ids: IdList | None = None


class AdminAccount(BaseModel):
    """Mastodon's Admin::Account entity (``admin_account.py``)."""

    id: str
    username: str
    domain: str | None
    created_at: str
    email: str
    ip: str | None
    ips: list[dict[str, Any]]
    locale: str | None
    invite_request: str | None
    role: dict[str, Any]
    confirmed: bool
    suspended: bool
    silenced: bool
    sensitized: bool
    disabled: bool
    approved: bool
    account: dict[str, Any]


class AdminReport(BaseModel):
    """Mastodon's Admin::Report entity (``render.py``)."""

    id: str
    action_taken: bool
    action_taken_at: str | None
    category: str
    comment: str
    forwarded: bool
    created_at: str
    updated_at: str
    account: AdminAccount
    target_account: AdminAccount
    assigned_account: AdminAccount | None
    action_taken_by_account: AdminAccount | None
    statuses: list[dict[str, Any]]
    rules: list[dict[str, Any]]
