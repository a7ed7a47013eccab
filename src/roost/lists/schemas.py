"""API shapes of lists: the List entity and the parameters of the list methods."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from roost.core.inputs import IdList

RepliesPolicy = Literal["followed", "list", "none"]


class ListEntity(BaseModel):
    id: str
    title: str
    replies_policy: RepliesPolicy
    exclusive: bool


class CreateList(BaseModel):
    title: str | None = None
    replies_policy: str = "list"
    exclusive: bool = False


class UpdateList(BaseModel):
    title: str | None = None
    replies_policy: str | None = None
    exclusive: bool | None = None


class ListMembers(BaseModel):
    account_ids: IdList | None = None
