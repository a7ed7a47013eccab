"""Request parameters for search."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator

from roost.accounts.schemas import Account
from roost.core.http import DEFAULT_LIMIT, MAX_LIMIT
from roost.core.inputs import Id
from roost.statuses.schemas import Status

SEARCH_TYPES = ("accounts", "statuses", "hashtags")


class SearchParams(BaseModel):
    q: str
    type: str | None = None  # anything but the three types means all three
    resolve: bool = False
    following: bool = False
    account_id: Id | None = None  # only this account's posts
    exclude_unreviewed: bool = False
    limit: int = DEFAULT_LIMIT
    offset: Id = 0  # a count, in the range of an id

    @field_validator("account_id", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, MAX_LIMIT))

    def wants(self, kind: str) -> bool:
        return self.type not in SEARCH_TYPES or self.type == kind


class AccountSearchParams(BaseModel):
    q: str
    limit: int = DEFAULT_LIMIT
    offset: Id = 0  # a count, in the range of an id
    following: bool = False
    resolve: bool = False

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, MAX_LIMIT))


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Tag(BaseModel):
    """Mastodon's Tag entity."""

    id: str
    name: str
    url: str
    history: list[dict[str, Any]]
    following: bool | None = None


class SearchResults(BaseModel):
    accounts: list[Account]
    statuses: list[Status]
    hashtags: list[Tag]
