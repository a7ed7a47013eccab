"""Cross-origin requests, as Mastodon answers them.

A Mastodon client may be a web app on any origin, so the API answers any origin:
``Access-Control-Allow-Origin: *`` without credentials (a token goes in the
``Authorization`` header; cookies are never sent cross-origin), any header a client
sends (Mastodon's ``headers: :any``: Authorization, Idempotency-Key, whatever else
an app adds), and ``Link``, the rate-limit headers and ``X-Request-Id`` readable. A preflight
``OPTIONS`` is answered by Starlette's ``CORSMiddleware``.

Only for ``/api/*``, ``/oauth/token``, ``/oauth/revoke``, ``/.well-known/*`` and
``/nodeinfo/*``. The web page (``/``, ``/@user``, ``/settings``, the authorize
page, its forms and ``/web/*``) is signed in by cookie: no other origin may read
it, so those paths get no CORS header at all.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PREFIXES = ("/api/", "/.well-known/", "/nodeinfo/")
PATHS = frozenset({"/oauth/token", "/oauth/revoke"})
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
EXPOSED = [
    "Link",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-Request-Id",
]


def cross_origin(path: str) -> bool:
    """Whether other origins may call ``path``."""
    return path in PATHS or path.startswith(PREFIXES)


class ApiCors:
    """``CORSMiddleware`` on the API paths only; everything else passes untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_credentials=False,
            allow_methods=METHODS,
            allow_headers=["*"],
            expose_headers=EXPOSED,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and cross_origin(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
