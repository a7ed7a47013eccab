"""What the web page's forms send. Every field has a default: a missing field is
an empty one, and the service says what is wrong with it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator


class NextForm(BaseModel):
    next: str | None = None  # where to go back to without JavaScript (a local path)


class NoteForm(NextForm):
    comment: str = ""  # a private note on an account; empty removes it


class PrivacyForm(BaseModel):
    locked: bool = False  # an unticked box sends nothing

    @field_validator("locked", mode="before")
    @classmethod
    def _unticked(cls, value: object) -> object:
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}


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
    # A poll: used when two options or more are filled in (``poll_options[]``).
    poll_options: list[str] = []
    poll_expires_in: str = ""
    poll_multiple: bool = False
    # Publish later: a ``datetime-local`` value, in the visitor's time zone, whose
    # offset from UTC in minutes (JavaScript's ``getTimezoneOffset``) comes with it.
    scheduled_at: str = ""
    timezone_offset: str = ""
    # Pictures come as files (web/media.py reads them); this marks them sensitive.
    sensitive: bool = False

    @field_validator("poll_multiple", "sensitive", mode="before")
    @classmethod
    def _ticked(cls, value: object) -> object:
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}

    @field_validator("poll_options", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class VoteForm(NextForm):
    choices: list[str] = []

    @field_validator("choices", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class EditForm(NextForm):
    # Kept extra: each picture's description comes as ``media_description_<id>``.
    model_config = ConfigDict(extra="allow")

    status: str = ""
    spoiler_text: str = ""
    sensitive: bool = False
    # The post's pictures, in order, and those ticked to be removed.
    media_ids: list[str] = []
    remove_media: list[str] = []

    @field_validator("sensitive", mode="before")
    @classmethod
    def _ticked(cls, value: object) -> object:
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}

    @field_validator("media_ids", "remove_media", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


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


class PreferencesForm(BaseModel):
    default_privacy: str = "public"
    default_sensitive: bool = False  # an unchecked box sends nothing
    default_language: str = ""
    expand_media: str = "default"
    expand_spoilers: bool = False


class FeaturedTagForm(BaseModel):
    name: str = ""


class ListForm(BaseModel):
    title: str = ""
    replies_policy: str = "list"
    exclusive: bool = False

    @field_validator("exclusive", mode="before")
    @classmethod
    def _unticked(cls, value: object) -> object:
        """An unticked box sends nothing; anything not a clear yes is a no."""
        return isinstance(value, str) and value.strip().lower() in {"1", "true", "on", "yes"}


class EmailForm(BaseModel):
    email: str = ""  # the address to mail a reset link or the confirmation to


class ResetPasswordForm(BaseModel):
    reset_password_token: str = ""
    password: str = ""


class DeleteAccountForm(BaseModel):
    password: str = ""


class ImportForm(BaseModel):
    type: str = "following"  # following, blocking, muting
    mode: str = "merge"  # merge, overwrite
