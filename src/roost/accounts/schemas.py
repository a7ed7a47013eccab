"""What clients send to the account endpoints. Presence and lengths are checked by
the service so errors come out in Mastodon's ``details`` shape."""

from __future__ import annotations

from pydantic import BaseModel


class RegistrationForm(BaseModel):
    username: str | None = None
    email: str | None = None
    password: str | None = None
    agreement: bool = False
    locale: str | None = None
    reason: str | None = None


class CredentialsForm(BaseModel):
    display_name: str | None = None
    note: str | None = None
    locked: bool | None = None
    bot: bool | None = None
    discoverable: bool | None = None


class LookupParams(BaseModel):
    acct: str
