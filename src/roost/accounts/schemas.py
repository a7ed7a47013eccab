"""What clients send to the account endpoints. Presence and lengths are checked by
the service so errors come out in Mastodon's ``details`` shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator


class RegistrationForm(BaseModel):
    username: str | None = None
    email: str | None = None
    password: str | None = None
    agreement: bool = False
    locale: str | None = None
    reason: str | None = None


class CredentialsSource(BaseModel):
    """``source[privacy]`` etc.: the person's posting defaults (accounts/preferences.py)."""

    privacy: str | None = None
    sensitive: bool | None = None
    language: str | None = None


class CredentialsForm(BaseModel):
    display_name: str | None = None
    note: str | None = None
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None
    source: CredentialsSource | None = None

    @model_validator(mode="before")
    @classmethod
    def _nested_source(cls, data: Any) -> Any:
        """A form sends ``source[privacy]=...``; JSON sends ``{"source": {...}}``."""
        if not isinstance(data, dict):
            return data
        flat = {
            key[len("source[") : -1]: value
            for key, value in data.items()
            if isinstance(key, str) and key.startswith("source[") and key.endswith("]")
        }
        if not flat:
            return data
        nested = data.get("source")
        merged = {**(nested if isinstance(nested, dict) else {}), **flat}
        return {**data, "source": merged}


class LookupParams(BaseModel):
    acct: str


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Account(BaseModel):
    """Mastodon's Account entity (``accounts/render.py``)."""

    id: str
    username: str
    acct: str
    display_name: str
    locked: bool
    bot: bool
    discoverable: bool | None
    group: bool
    created_at: str
    note: str
    url: str
    uri: str
    avatar: str
    avatar_static: str
    header: str
    header_static: str
    followers_count: int
    following_count: int
    statuses_count: int
    last_status_at: str | None
    noindex: bool
    emojis: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    roles: list[dict[str, Any]]
    suspended: bool | None = None  # only on a suspended account: the rest is blank
    limited: bool | None = None  # only on a silenced account


class CredentialAccount(Account):
    """The signed-in person's own Account, with ``source`` (what they typed) and ``role``."""

    source: dict[str, Any]
    role: dict[str, Any]


class Preferences(BaseModel):
    """Mastodon's Preferences entity (``accounts/preferences.py``)."""

    model_config = {"populate_by_name": True}

    posting_default_visibility: str = Field(alias="posting:default:visibility")
    posting_default_sensitive: bool = Field(alias="posting:default:sensitive")
    posting_default_language: str | None = Field(alias="posting:default:language")
    reading_expand_media: str = Field(alias="reading:expand:media")
    reading_expand_spoilers: bool = Field(alias="reading:expand:spoilers")
