"""Filters of the notifications list, as Mastodon clients send them."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from roost.accounts.schemas import Account
from roost.core.http import PageParams
from roost.core.inputs import Id, IdList
from roost.reports.schemas import Report
from roost.statuses.schemas import Status


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class NotificationFilter(BaseModel):
    types: list[str] = []
    exclude_types: list[str] = []
    account_id: Id | None = None

    _lists = field_validator("types", "exclude_types", mode="before")(_as_list)

    @field_validator("account_id", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Notification(BaseModel):
    """Mastodon's Notification entity (``notifications/render.py``)."""

    id: str
    type: str
    created_at: str
    group_key: str
    account: Account
    status: Status | None
    report: Report | None = None  # attached to ``admin.report`` only


def _flag(value: object) -> object:
    """Mastodon booleans: ``1``/``0``, ``true``/``false``, ``True``/``False``."""
    if isinstance(value, str) and value.lower() in {"1", "true", "0", "false", ""}:
        return value.lower() in {"1", "true"}
    return value


class ListFilter(NotificationFilter):
    include_filtered: bool = False

    _flags = field_validator("include_filtered", mode="before")(_flag)


class GroupedNotificationFilter(ListFilter):
    grouped_types: list[str] = []
    expand_accounts: str = "full"  # every account is sent in full (``partial_avatars`` too)

    _more_lists = field_validator("grouped_types", mode="before")(_as_list)


class GroupPageParams(PageParams):
    """Paging of groups: 40 by default, at most 80 (Mastodon's numbers)."""

    limit: int = Field(default=40, description="At most 80; out of 1..80 clamped")

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, 80))


class UnreadCountFilter(NotificationFilter):
    limit: int = Field(default=100, description="At most 1000; out of 1..1000 clamped")
    grouped_types: list[str] = []

    _more_lists = field_validator("grouped_types", mode="before")(_as_list)

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, 1000))


class NotificationGroup(BaseModel):
    """Mastodon's NotificationGroup entity (``notifications/render.py``)."""

    group_key: str
    notifications_count: int
    type: str
    most_recent_notification_id: str
    page_min_id: str | None = None
    page_max_id: str | None = None
    latest_page_notification_at: str | None = None
    sample_account_ids: list[str]
    status_id: str | None = None
    report: Report | None = None  # attached to ``admin.report`` only


class GroupedNotificationsResults(BaseModel):
    accounts: list[Account]
    statuses: list[Status]
    notification_groups: list[NotificationGroup]


class UnreadCount(BaseModel):
    count: int


class PolicySummary(BaseModel):
    pending_requests_count: int
    pending_notifications_count: int


class PolicyValues(BaseModel):
    """PATCH /api/v2/notifications/policy: each ``accept``, ``filter`` or ``drop``."""

    for_not_following: str | None = None
    for_not_followers: str | None = None
    for_new_accounts: str | None = None
    for_private_mentions: str | None = None
    for_limited_accounts: str | None = None


class Policy(BaseModel):
    """Mastodon's NotificationPolicy entity (``notifications/policy.py``)."""

    for_not_following: str
    for_not_followers: str
    for_new_accounts: str
    for_private_mentions: str
    for_limited_accounts: str
    summary: PolicySummary


class PolicyFlags(BaseModel):
    """PUT /api/v1/notifications/policy (the v1 shape)."""

    filter_not_following: bool | None = None
    filter_not_followers: bool | None = None
    filter_new_accounts: bool | None = None
    filter_private_mentions: bool | None = None

    _flags = field_validator(
        "filter_not_following",
        "filter_not_followers",
        "filter_new_accounts",
        "filter_private_mentions",
        mode="before",
    )(_flag)


class PolicyV1(BaseModel):
    filter_not_following: bool
    filter_not_followers: bool
    filter_new_accounts: bool
    filter_private_mentions: bool
    summary: PolicySummary


class RequestIds(BaseModel):
    id: IdList


class NotificationRequest(BaseModel):
    """Mastodon's NotificationRequest entity (``notifications/render.py``)."""

    id: str
    created_at: str
    updated_at: str
    account: Account
    notifications_count: str
    last_status: Status | None = None
