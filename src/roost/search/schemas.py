"""Request parameters for search."""

from __future__ import annotations

from pydantic import BaseModel, Field

from roost.core.http import DEFAULT_LIMIT, MAX_LIMIT

SEARCH_TYPES = ("accounts", "statuses", "hashtags")


class SearchParams(BaseModel):
    q: str
    type: str | None = None  # anything but the three types means all three
    resolve: bool = False
    following: bool = False
    account_id: str | None = None
    exclude_unreviewed: bool = False
    limit: int = DEFAULT_LIMIT
    offset: int = Field(default=0, ge=0)

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, MAX_LIMIT))

    def wants(self, kind: str) -> bool:
        return self.type not in SEARCH_TYPES or self.type == kind


class AccountSearchParams(BaseModel):
    q: str
    limit: int = DEFAULT_LIMIT
    offset: int = Field(default=0, ge=0)
    following: bool = False
    resolve: bool = False

    def clamped_limit(self) -> int:
        return max(1, min(self.limit, MAX_LIMIT))
