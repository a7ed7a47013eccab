"""Access tokens: made here, stored as SHA-256, shown to the client once; revoked
here too (``revoke_tokens``), for every path that takes access away."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from roost.core.db import utcnow
from roost.core.ids import new_id
from roost.core.security import new_token, token_digest
from roost.oauth.models import AccessToken, AuthorizationCode
from roost.streaming.ending import end_streams

if TYPE_CHECKING:
    from roost.runtime import Runtime


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


async def revoke_tokens(
    session: AsyncSession, runtime: Runtime, *where: ColumnElement[bool]
) -> int:
    """Revoke the live tokens matching ``where``: their kept renderings are forgotten and
    their open streams end once ``session`` commits (the caller commits). Returns how
    many."""
    revoked = await session.execute(
        update(AccessToken)
        .where(*where, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .returning(AccessToken.id, AccessToken.token_hash)
    )
    rows = revoked.all()
    runtime.versions.forget(session, "token", [digest for _, digest in rows])
    end_streams(session=session, runtime=runtime, token_ids=[token_id for token_id, _ in rows])
    return len(rows)


async def revoke_account_access(session: AsyncSession, runtime: Runtime, account_id: int) -> int:
    """Every token of the account revoked and its unused authorization codes dropped
    (a new password, a deleted account). The caller commits. Returns the tokens revoked."""
    revoked = await revoke_tokens(session, runtime, AccessToken.account_id == account_id)
    await session.execute(
        delete(AuthorizationCode).where(
            AuthorizationCode.account_id == account_id, AuthorizationCode.used_at.is_(None)
        )
    )
    return revoked
