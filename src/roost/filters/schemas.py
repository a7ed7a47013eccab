"""What clients send to and get from the filters APIs (Mastodon's Filter, FilterKeyword,
FilterStatus, FilterResult and V1::Filter entities)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from roost.core.inputs import Id


def _listed(value: object) -> object:
    """``context=home`` (one value) as ``context[]=home``."""
    return [value] if isinstance(value, str) else value


def _blank_as_none(value: object) -> object:
    return None if value == "" else value


class KeywordAttributes(BaseModel):
    """One of ``keywords_attributes[]``: a new keyword, a change to one (``id``), or its
    removal (``id`` and ``_destroy``)."""

    model_config = ConfigDict(populate_by_name=True)

    keyword: str | None = None
    whole_word: bool | None = None
    id: Id | None = None
    destroy: bool = Field(default=False, alias="_destroy")


class FilterParams(BaseModel):
    """POST (``title`` and ``context`` required) and PUT /api/v2/filters. A field not
    sent is left as it is; ``expires_in`` sent empty means never."""

    title: str | None = None
    context: list[str] | None = None
    filter_action: str | None = None
    expires_in: int | None = Field(default=None, description="Seconds from now; empty: never")
    keywords_attributes: list[KeywordAttributes] = []

    _context = field_validator("context", mode="before")(_listed)
    _expires = field_validator("expires_in", mode="before")(_blank_as_none)

    @field_validator("keywords_attributes", mode="before")
    @classmethod
    def _indexed(cls, value: object) -> object:
        """Rails also takes ``{"0": {...}, "1": {...}}`` for a list of objects."""
        return list(value.values()) if isinstance(value, dict) else value


class KeywordParams(BaseModel):
    keyword: str | None = None
    whole_word: bool | None = None


class StatusParams(BaseModel):
    status_id: Id


class FilterV1Params(BaseModel):
    """POST and PUT /api/v1/filters: one phrase, the filter it makes."""

    phrase: str | None = None
    context: list[str] | None = None
    irreversible: bool | None = None
    whole_word: bool | None = None
    expires_in: int | None = Field(default=None, description="Seconds from now; empty: never")

    _context = field_validator("context", mode="before")(_listed)
    _expires = field_validator("expires_in", mode="before")(_blank_as_none)


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class FilterKeywordEntity(BaseModel):
    id: str
    keyword: str
    whole_word: bool


class FilterStatusEntity(BaseModel):
    id: str
    status_id: str


class FilterEntity(BaseModel):
    id: str
    title: str
    context: list[str]
    expires_at: str | None
    filter_action: str
    keywords: list[FilterKeywordEntity]
    statuses: list[FilterStatusEntity]


class FilterV1Entity(BaseModel):
    id: str
    phrase: str
    context: list[str]
    expires_at: str | None
    irreversible: bool
    whole_word: bool


Empty = dict[str, Any]
