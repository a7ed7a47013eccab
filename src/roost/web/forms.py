"""What the web page's forms send. Every field has a default: a missing field is
an empty one, and the service says what is wrong with it."""

from __future__ import annotations

from pydantic import BaseModel, field_validator


class NextForm(BaseModel):
    next: str | None = None  # where to go back to without JavaScript (a local path)


class LoginForm(NextForm):
    email: str = ""  # an email or a username
    password: str = ""


class SignupForm(BaseModel):
    username: str = ""
    email: str = ""
    password: str = ""
    agreement: bool = False

    @field_validator("agreement", mode="before")
    @classmethod
    def _unticked(cls, value: object) -> object:
        """An unticked box sends nothing; anything not a clear yes is a no."""
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}


class ComposeForm(NextForm):
    status: str = ""
    visibility: str = "public"
    spoiler_text: str = ""
    in_reply_to_id: str | None = None
    # A fresh random key per form: a double-submitted form posts once.
    idempotency_key: str | None = None


class ProfileForm(BaseModel):
    display_name: str = ""
    note: str = ""


class PasswordForm(BaseModel):
    current_password: str = ""
    new_password: str = ""


class SearchQuery(BaseModel):
    q: str = ""


class MarkerForm(BaseModel):
    last_read_id: str = ""  # the status id at the top of the home timeline


class ListForm(BaseModel):
    title: str = ""
    replies_policy: str = "list"
    exclusive: bool = False

    @field_validator("exclusive", mode="before")
    @classmethod
    def _unticked(cls, value: object) -> object:
        """An unticked box sends nothing; anything not a clear yes is a no."""
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}
