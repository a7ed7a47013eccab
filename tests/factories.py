"""Make accounts and tokens directly in the database, for tests that need a cast."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from roost.accounts.models import Account
from roost.core.ids import new_id
from roost.core.security import hash_password, new_token, token_digest
from roost.oauth.models import AccessToken, OAuthApp
from roost.runtime import Runtime

PASSWORD = "correct horse battery staple"
ALL_SCOPES = "read write follow push"


@dataclass
class User:
    account: Account
    token: str

    @property
    def id(self) -> str:
        return str(self.account.id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._app_id: int | None = None

    async def app(self) -> int:
        if self._app_id is None:
            async with self.runtime.db.write() as session:
                app = OAuthApp(
                    id=new_id(),
                    name="Test app",
                    redirect_uris="urn:ietf:wg:oauth:2.0:oob",
                    scopes=ALL_SCOPES,
                    client_id=new_token(),
                    client_secret_hash=token_digest(new_token()),
                )
                session.add(app)
                await session.commit()
                self._app_id = app.id
        return self._app_id

    async def user(self, username: str, *, scopes: str = ALL_SCOPES, **profile: object) -> User:
        """An approved account with a token carrying ``scopes``."""
        app_id = await self.app()
        token = new_token()
        async with self.runtime.db.write() as session:
            account = Account(
                id=new_id(),
                username=username,
                username_lower=username.lower(),
                email=f"{username.lower()}@example.com",
                password_hash=_password_hash(),
                **profile,
            )
            session.add(account)
            await session.flush()
            session.add(
                AccessToken(
                    id=new_id(),
                    token_hash=token_digest(token),
                    app_id=app_id,
                    account_id=account.id,
                    scopes=scopes,
                )
            )
            await session.commit()
        return User(account=account, token=token)

    async def token(self, user: User, scopes: str) -> str:
        """Another token for ``user`` with different scopes."""
        token = new_token()
        async with self.runtime.db.write() as session:
            session.add(
                AccessToken(
                    id=new_id(),
                    token_hash=token_digest(token),
                    app_id=await self.app(),
                    account_id=user.account.id,
                    scopes=scopes,
                )
            )
            await session.commit()
        return token


@cache
def _password_hash() -> str:
    """Made once, at the first account (with the run's settings, not at import)."""
    return hash_password(PASSWORD)
