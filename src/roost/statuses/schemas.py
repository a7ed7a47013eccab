"""What clients send to the statuses endpoints (form or JSON, Mastodon style)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, PlainValidator, WithJsonSchema, field_validator

from roost.accounts.schemas import Account
from roost.core.errors import Unprocessable
from roost.core.inputs import ID_SCHEMA, IdList, id_or_none
from roost.media.attach import MediaChange, check_description, parse_focus
from roost.polls.schemas import Poll, PollIn, poll_in

Visibility = Literal["public", "unlisted", "private", "direct"]
ReblogVisibility = Literal["public", "unlisted", "private"]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _media_ids(value: object) -> list[int]:
    """``media_ids[]=1&media_ids[]=2``, a JSON list or one id; blank entries (a form's
    empty ``media_ids[]=``) are none."""
    values = value if isinstance(value, list) else [value]
    found = [id_or_none(v) for v in values if v is not None and _blank_to_none(v) is not None]
    numbers = [number for number in found if number is not None]
    if len(numbers) != len(found):
        raise ValueError("must be a list of media attachment ids")
    return numbers


# The uploads a post takes (media/attach.py checks them), in the order shown.
MediaIds = Annotated[
    list[int],
    PlainValidator(_media_ids),
    WithJsonSchema({"type": "array", "items": ID_SCHEMA, "maxItems": 4}),
]


class PostStatusIn(BaseModel):
    # Extra keys are kept so that form-encoded polls (``poll[options][]``) are seen.
    model_config = ConfigDict(extra="allow")

    status: str | None = None
    in_reply_to_id: str | int | None = None
    visibility: Visibility | None = None
    spoiler_text: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    media_ids: MediaIds = []
    poll: Any = None
    scheduled_at: str | None = None

    _blanks = field_validator(
        "in_reply_to_id", "visibility", "language", "scheduled_at", "sensitive", mode="before"
    )(_blank_to_none)

    @property
    def poll_in(self) -> PollIn | None:
        """The poll, sent as JSON (``poll``) or as a form (``poll[options][]``...)."""
        return poll_in(self.poll, self.model_extra or {})


class MediaAttributeIn(BaseModel):
    """One entry of ``media_attributes[]``: an attachment's new description and focus."""

    id: str | int
    description: str | None = None
    focus: str | None = None


class EditStatusIn(BaseModel):
    """PUT /api/v1/statuses/:id. Polls are not editable (yet): seen to refuse."""

    model_config = ConfigDict(extra="allow")

    status: str | None = None
    spoiler_text: str | None = None
    sensitive: bool | None = None
    language: str | None = None
    media_ids: MediaIds = []
    media_attributes: list[MediaAttributeIn] = []
    poll: Any = None

    _blanks = field_validator("language", "sensitive", mode="before")(_blank_to_none)

    def media_changes(self) -> list[MediaChange]:
        """``media_attributes``, checked: an id, a description of acceptable length, a
        focal point ``x,y``. Mastodon.py names the media only there (``media_ids``
        then lists them too)."""
        changes = []
        for entry in self.media_attributes:
            media_id = id_or_none(entry.id)
            if media_id is None:
                raise Unprocessable("Validation failed: media_attributes: id is not an id")
            description = entry.description
            focus = entry.focus
            changes.append(
                MediaChange(
                    media_id,
                    check_description(description) if description is not None else None,
                    parse_focus(focus) if focus is not None and focus.strip() else None,
                )
            )
        return changes

    @property
    def has_poll(self) -> bool:
        extra = self.model_extra or {}
        return bool(self.poll) or any(key.startswith("poll[") for key in extra)


class DeleteStatusIn(BaseModel):
    # Delete the post's media at once; otherwise they are kept unattached for a while,
    # so a delete-and-redraft can post them again.
    delete_media: bool | None = None

    _blanks = field_validator("delete_media", mode="before")(_blank_to_none)


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
