"""What the conversations API answers: for the OpenAPI document only (routes render dicts)."""

from __future__ import annotations

from pydantic import BaseModel

from roost.accounts.schemas import Account
from roost.statuses.schemas import Status


class Conversation(BaseModel):
    """Mastodon's Conversation entity (``conversations/render.py``)."""

    id: str
    unread: bool
    accounts: list[Account]
    last_status: Status | None
