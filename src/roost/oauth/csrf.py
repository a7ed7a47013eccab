"""Signed hidden tokens for the authorize form.

The token is ``<expiry>.<HMAC-SHA256(secret, client_id | expiry)>``: the form
can only be posted with a token this server issued for this app, recently.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from roost.core.inputs import id_or_none

LIFETIME_SECONDS = 3600


def _signature(secret: str, client_id: str, expires: int) -> str:
    message = f"oauth-authorize\x00{client_id}\x00{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def issue(secret: str, client_id: str, *, now: float | None = None) -> str:
    expires = int(now if now is not None else time.time()) + LIFETIME_SECONDS
    return f"{expires}.{_signature(secret, client_id, expires)}"


def valid(secret: str, client_id: str, token: str | None, *, now: float | None = None) -> bool:
    if not token:
        return False
    expires_text, _, signature = token.partition(".")
    expires = id_or_none(expires_text)
    if expires is None:
        return False
    if expires < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature, _signature(secret, client_id, expires))
