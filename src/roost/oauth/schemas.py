"""What clients send to the OAuth endpoints. Every field is optional here: the
services check presence themselves so that errors come out in OAuth's shape."""

from __future__ import annotations

from pydantic import BaseModel


class AppForm(BaseModel):
    client_name: str | None = None
    # Newline separated, or a list (``redirect_uris[]`` in a form, an array in JSON).
    redirect_uris: str | list[str] | None = None
    scopes: str | list[str] | None = None
    website: str | None = None


class AuthorizeParams(BaseModel):
    """The authorization request, as a query string (GET) or the form's hidden fields."""

    client_id: str | None = None
    response_type: str | None = None
    redirect_uri: str | None = None
    scope: str | None = None
    state: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    force_login: str | bool | None = None  # ask for a password even when signed in


class AuthorizeForm(AuthorizeParams):
    """The authorize page's form: the request again, plus what the person typed."""

    csrf_token: str | None = None
    email: str | None = None
    password: str | None = None
    decision: str | None = None
    session_token: str | None = None  # a signed-in browser's form, instead of a password


class TokenForm(BaseModel):
    grant_type: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    code: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = None
    username: str | None = None
    password: str | None = None
    scope: str | list[str] | None = None


class RevokeForm(BaseModel):
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


# ---- what the API answers: for the OpenAPI document only (routes render dicts) ----


class Application(BaseModel):
    """Mastodon's Application entity; the credentials only right after registration."""

    id: str
    name: str
    website: str | None
    scopes: list[str]
    redirect_uri: str
    redirect_uris: list[str]
    vapid_key: str
    client_id: str | None = None
    client_secret: str | None = None
    client_secret_expires_at: int | None = None


class Token(BaseModel):
    """An OAuth access token (RFC 6749 section 5.1, as Mastodon sends it)."""

    access_token: str
    token_type: str
    scope: str
    created_at: int
