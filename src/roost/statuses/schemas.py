"""What clients send to the statuses endpoints (form or JSON, Mastodon style)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from roost.accounts.schemas import Account
from roost.core.inputs import IdList
from roost.polls.schemas import Poll, PollIn, poll_in

Visibility = Literal["public", "unlisted", "private", "direct"]
ReblogVisibility = Literal["public", "unlisted", "private"]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class PostStatusIn(BaseModel):
    # Extra keys are kept so that form-encoded polls (``poll[options][]``) are seen.
    model_config = ConfigDict(extra="allow")

    status: str | None = None
    in_reply_to_id: str | int | None = None
    visibility: Visibility | None = None
    spoiler_text: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    media_ids: list[str | int] | str | None = None
    poll: Any = None
    scheduled_at: str | None = None

    _blanks = field_validator(
        "in_reply_to_id", "visibility", "language", "scheduled_at", "sensitive", mode="before"
    )(_blank_to_none)

    @property
    def has_media(self) -> bool:
        if isinstance(self.media_ids, str):
            return bool(self.media_ids.strip())
        return bool(self.media_ids)

    @property
    def poll_in(self) -> PollIn | None:
        """The poll, sent as JSON (``poll``) or as a form (``poll[options][]``...)."""
        return poll_in(self.poll, self.model_extra or {})


class EditStatusIn(BaseModel):
    """PUT /api/v1/statuses/:id. Media and polls are not editable (yet): seen to refuse."""

    model_config = ConfigDict(extra="allow")

    status: str | None = None
    spoiler_text: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    media_ids: list[str | int] | str | None = None
    poll: Any = None

    _blanks = field_validator("language", "sensitive", mode="before")(_blank_to_none)

    @property
    def has_media(self) -> bool:
        if isinstance(self.media_ids, str):
            return bool(self.media_ids.strip())
        return bool(self.media_ids)

    @property
    def has_poll(self) -> bool:
        extra = self.model_extra or {}
        return bool(self.poll) or any(key.startswith("poll[") for key in extra)


class TranslateIn(BaseModel):
    lang: str | None = None


class ReblogIn(BaseModel):
    visibility: ReblogVisibility | None = None

    _blanks = field_validator("visibility", mode="before")(_blank_to_none)


class StatusIdsIn(BaseModel):
    id: IdList = []

    @property
    def ids(self) -> list[int]:
        return self.id


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Mention(BaseModel):
    id: str
    username: str
    acct: str
    url: str


class StatusTag(BaseModel):
    name: str
    url: str


class Status(BaseModel):
    """Mastodon's Status entity (``statuses/cache.py`` and ``render.py``)."""

    id: str
    uri: str
    url: str | None
    created_at: str
    edited_at: str | None
    content: str
    text: str | None
    visibility: Visibility
    sensitive: bool
    spoiler_text: str
    language: str | None
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    application: dict[str, Any] | None
    media_attachments: list[dict[str, Any]]
    mentions: list[Mention]
    tags: list[StatusTag]
    emojis: list[dict[str, Any]]
    muted: bool
    bookmarked: bool
    pinned: bool
    poll: Poll | None
    card: dict[str, Any] | None
    filtered: list[dict[str, Any]]
    account: Account
    reblog: Status | None
    replies_count: int
    reblogs_count: int
    favourites_count: int
    favourited: bool
    reblogged: bool


class Context(BaseModel):
    """A thread around a status: what it answers, and the answers to it."""

    ancestors: list[Status]
    descendants: list[Status]


class StatusEdit(BaseModel):
    """Mastodon's StatusEdit entity: one version in a post's history."""

    content: str
    spoiler_text: str
    sensitive: bool
    created_at: str
    account: Account
    poll: dict[str, Any] | None = None
    media_attachments: list[dict[str, Any]]
    emojis: list[dict[str, Any]]


class StatusSource(BaseModel):
    id: str
    text: str
    spoiler_text: str


class Translation(BaseModel):
    content: str
    spoiler_text: str | None
    media_attachments: list[dict[str, Any]]
    poll: list[dict[str, Any]] | None
    detected_source_language: str
    provider: str
