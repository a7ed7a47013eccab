"""Filters of the notifications list, as Mastodon clients send them."""

from __future__ import annotations

from pydantic import BaseModel, field_validator

from roost.accounts.schemas import Account
from roost.core.inputs import Id
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
