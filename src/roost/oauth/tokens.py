"""Access tokens: made here, stored as SHA-256, shown to the client once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.core.security import new_token, token_digest
from roost.oauth.models import AccessToken


def grant_token(
    session: AsyncSession, *, app_id: int | None, account_id: int | None, scopes: list[str]
) -> tuple[str, AccessToken]:
    """Add a token row to ``session``; the caller commits. Returns the token and its row."""
    token = new_token()
    row = AccessToken(
        id=new_id(),
        token_hash=token_digest(token),
        app_id=app_id,
        account_id=account_id,
        scopes=" ".join(scopes),
        created_at=utcnow(),
    )
    session.add(row)
    return token, row


def render_token(token: str, row: AccessToken) -> dict[str, Any]:
    """The Mastodon Token entity."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "scope": row.scopes,
        "created_at": int(row.created_at.timestamp()),
    }
