"""Request parameters for the follow graph endpoints."""

from __future__ import annotations

from pydantic import BaseModel

from roost.accounts.schemas import Account
from roost.core.inputs import IdList


class FollowParams(BaseModel):
    reblogs: bool = True
    notify: bool = False


class MuteParams(BaseModel):
    notifications: bool = True
    duration: int = 0  # seconds; 0: until unmuted


class NoteParams(BaseModel):
    comment: str = ""  # empty: remove the note


class RelationshipParams(BaseModel):
    id: IdList = []

    def ids(self) -> list[int]:
        """The ids asked for, in order, without repeats."""
        return self.id


class FamiliarFollowersParams(RelationshipParams):
    pass


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


class FamiliarFollowers(BaseModel):
    """Mastodon's FamiliarFollowers entity (``follows/familiar.py``)."""

    id: str
    accounts: list[Account]
