"""Mastodon's validation errors: ``{"error": "Validation failed: ...", "details":
{"field": [{"error": "ERR_TAKEN", "description": "has already been taken"}]}}``."""

from __future__ import annotations

import re

from roost.core.errors import Unprocessable

USERNAME = re.compile(r"^[A-Za-z0-9_]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
LOCALE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
LOCALE_MAX = 16
USERNAME_MAX = 30
EMAIL_MAX = 254
PASSWORD_MIN, PASSWORD_MAX = 8, 72
DISPLAY_NAME_MAX = 30
NOTE_MAX = 500
REASON_MAX = 1000

# Names that would impersonate the server or its staff, or collide with its paths.
RESERVED = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "api",
        "auth",
        "help",
        "hostmaster",
        "info",
        "mod",
        "moderator",
        "noreply",
        "no_reply",
        "oauth",
        "postmaster",
        "root",
        "roost",
        "security",
        "staff",
        "support",
        "system",
        "webmaster",
    }
)

_LABELS = {
    "username": "Username",
    "email": "Email",
    "password": "Password",
    "agreement": "Agreement",
    "locale": "Locale",
    "reason": "Reason",
    "display_name": "Display name",
    "note": "Note",
}


class Errors:
    """Collects field errors; ``raise_if_any`` turns them into one 422."""

    def __init__(self) -> None:
        self.fields: dict[str, list[dict[str, str]]] = {}

    def add(self, field: str, code: str, description: str) -> None:
        self.fields.setdefault(field, []).append({"error": code, "description": description})

    def has(self, field: str) -> bool:
        return field in self.fields

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if not self.fields:
            return
        messages = [
            f"{_LABELS.get(field, field)} {item['description']}"
            for field, items in self.fields.items()
            for item in items
        ]
        raise Unprocessable("Validation failed: " + ", ".join(messages), details=dict(self.fields))


def check_length(errors: Errors, field: str, value: str, *, low: int, high: int) -> None:
    if len(value) < low:
        errors.add(field, "ERR_TOO_SHORT", f"is too short (minimum is {low} characters)")
    elif len(value) > high:
        errors.add(field, "ERR_TOO_LONG", f"is too long (maximum is {high} characters)")


def check_username(errors: Errors, username: str, *, reserved_ok: bool = False) -> None:
    """``reserved_ok``: the operator (``roost admin create``) may take a reserved name."""
    if not username:
        errors.add("username", "ERR_BLANK", "can't be blank")
    elif len(username) > USERNAME_MAX:
        check_length(errors, "username", username, low=1, high=USERNAME_MAX)
    elif not USERNAME.match(username):
        errors.add("username", "ERR_INVALID", "must contain only letters, numbers and underscores")
    elif username.lower() in RESERVED and not reserved_ok:
        errors.add("username", "ERR_RESERVED", "is reserved")


def check_locale(locale: str) -> bool:
    """A language tag Roost keeps: ``en``, ``pt-BR``, ``zh_Hant``; at most 16 characters."""
    return len(locale) <= LOCALE_MAX and LOCALE.match(locale) is not None


def check_email(errors: Errors, email: str) -> None:
    if not email:
        errors.add("email", "ERR_BLANK", "can't be blank")
    elif len(email) > EMAIL_MAX or not EMAIL.match(email):
        errors.add("email", "ERR_INVALID", "is invalid")


def check_password(errors: Errors, password: str) -> None:
    if not password:
        errors.add("password", "ERR_BLANK", "can't be blank")
    else:
        check_length(errors, "password", password, low=PASSWORD_MIN, high=PASSWORD_MAX)
