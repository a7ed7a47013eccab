"""Passwords (argon2id) and opaque tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from roost.core.settings import get_settings


@cache
def _hasher(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def hash_password(password: str) -> str:
    """argon2id, with the parameters of the ``password_hash_profile`` setting."""
    return _hasher(get_settings().password_hash_profile).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Checked with the parameters the hash names, whatever the setting is now."""
    try:
        return _hasher(get_settings().password_hash_profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_digest(token: str, digest: str) -> bool:
    return hmac.compare_digest(token_digest(token), digest)
