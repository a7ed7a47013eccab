"""What the discovery endpoints answer: for the OpenAPI document (routes render dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

SUGGESTIONS_DEFAULT = 40
SUGGESTIONS_MAX = 80


class TagHistory(BaseModel):
    day: str
    uses: str
    accounts: str


class TrendingTag(BaseModel):
    """Mastodon's Tag entity with its ``history``."""

    name: str
    url: str
    history: list[TagHistory]


class Suggestion(BaseModel):
    source: str
    sources: list[str]
    account: dict[str, Any]


class SuggestionParams(BaseModel):
    limit: int | None = Field(default=None, description=f"At most {SUGGESTIONS_MAX}; clamped")

    def clamped_limit(self) -> int:
        if self.limit is None:
            return SUGGESTIONS_DEFAULT
        return max(1, min(self.limit, SUGGESTIONS_MAX))
