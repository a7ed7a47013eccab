"""What clients send about polls (form or JSON, Mastodon style), and the Poll entity."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from roost.core.errors import Unprocessable


class PollIn(BaseModel):
    """``poll[options][]``, ``poll[expires_in]``, ``poll[multiple]``, ``poll[hide_totals]``
    of a new status (checked against the instance's limits by ``polls.service``)."""

    model_config = ConfigDict(extra="ignore")

    options: list[str]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False

    _blanks = field_validator("multiple", "hide_totals", mode="before")(
        lambda value: False if value in ("", None) else value
    )

    def params(self) -> dict[str, Any]:
        """As a ScheduledStatus keeps it (``params[poll]``)."""
        return self.model_dump()


def poll_in(nested: Any, flat: dict[str, Any]) -> PollIn | None:
    """The poll of a post's parameters: ``nested`` is ``poll`` as a JSON body sends it,
    ``flat`` the other parameters, where a form's ``poll[options][]`` arrives as
    ``poll[options]``. None when the post has no poll."""
    raw: dict[str, Any] = {}
    if isinstance(nested, dict):
        raw.update(nested)
    elif nested not in (None, ""):
        raise Unprocessable("Validation failed: poll must be a hash of options and expires_in")
    for key, value in flat.items():
        if key.startswith("poll[") and key.endswith("]"):
            raw[key[5:-1]] = value
    if not raw:
        return None
    try:
        return PollIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        if first["type"] == "missing":
            raise Unprocessable(f"Validation failed: poll[{field}] can't be blank") from exc
        raise Unprocessable(f"Validation failed: poll[{field}]: {first['msg']}") from exc


class VoteIn(BaseModel):
    choices: list[int] = Field(default_factory=list, description="Indexes of the options")

    @field_validator("choices", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str | int) else value


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class PollOption(BaseModel):
    title: str
    votes_count: int | None


class Poll(BaseModel):
    """Mastodon's Poll entity (``polls/render.py``)."""

    id: str
    expires_at: str | None
    expired: bool
    multiple: bool
    votes_count: int
    voters_count: int | None
    options: list[PollOption]
    emojis: list[dict[str, Any]]
    voted: bool | None = None
    own_votes: list[int] | None = None
