"""Request parameters for the follow graph endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from roost.core.inputs import IdList


class FollowParams(BaseModel):
    reblogs: bool = True
    notify: bool = False


class MuteParams(BaseModel):
    notifications: bool = True
    duration: int | None = None  # accepted, ignored: mutes do not expire


class RelationshipParams(BaseModel):
    id: IdList = []

    def ids(self) -> list[int]:
        """The ids asked for, in order, without repeats."""
        return self.id


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Relationship(BaseModel):
    """Mastodon's Relationship entity (``follows/relationships.py``)."""

    id: str
    following: bool
    showing_reblogs: bool
    notifying: bool
    languages: list[str] | None
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    requested: bool
    requested_by: bool
    domain_blocking: bool
    endorsed: bool
    note: str
