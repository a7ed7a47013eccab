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
