"""Request parameters for the follow graph endpoints."""

from __future__ import annotations

from pydantic import BaseModel


class FollowParams(BaseModel):
    reblogs: bool = True
    notify: bool = False


class MuteParams(BaseModel):
    notifications: bool = True
    duration: int | None = None  # accepted, ignored: mutes do not expire


class RelationshipParams(BaseModel):
    # ``id=X`` arrives as a string, ``id[]=X&id[]=Y`` as a list.
    id: list[str] | str = []

    def ids(self) -> list[int]:
        """The numeric ids asked for, in order, without repeats; anything else is skipped."""
        raw = [self.id] if isinstance(self.id, str) else self.id
        seen: list[int] = []
        for value in raw:
            if value.isdigit() and len(value) <= 19 and int(value) < 1 << 63:
                number = int(value)
                if number not in seen:
                    seen.append(number)
        return seen
