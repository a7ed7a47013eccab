"""Form tokens against cross-site request forgery.

A signed-in browser's token is an HMAC of its session's ``csrf_secret``; a
signed-out browser (the login and sign-up forms) gets a random pre-session
cookie and a token that is an HMAC of that cookie. Both are keyed with the
server's secret, so a token is only valid with the cookie it was made for, and
neither cookie is readable by scripts (HttpOnly) or sent by other sites' forms
(SameSite=Lax).
"""

from __future__ import annotations

import hashlib
import hmac

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def _sign(server_secret: str, purpose: str, value: str) -> str:
    message = f"roost-web-csrf\x00{purpose}\x00{value}".encode()
    return hmac.new(server_secret.encode(), message, hashlib.sha256).hexdigest()


def session_token(server_secret: str, csrf_secret: str) -> str:
    return _sign(server_secret, "session", csrf_secret)


def pre_session_token(server_secret: str, cookie: str) -> str:
    return _sign(server_secret, "pre-session", cookie)


def matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")
