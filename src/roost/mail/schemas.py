from __future__ import annotations

from pydantic import BaseModel


class ConfirmationForm(BaseModel):
    """POST /api/v1/emails/confirmations: a new address to confirm instead, if given."""

    email: str | None = None
