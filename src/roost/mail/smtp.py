"""Sending one message through the SMTP server of ``ROOST_SMTP_URL`` with aiosmtplib.

``smtp://[user:password@]host[:port]`` speaks plain SMTP and upgrades with STARTTLS
when the server offers it (``?starttls=always`` insists on it, ``?starttls=never``
never tries); ``smtps://`` speaks TLS from the first byte. Without a port,
aiosmtplib's default applies: 465 for smtps, 587 with ``starttls=always``, else 25.
The user name and password may be percent-encoded. Only jobs call ``send``: a
request never waits for a mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from roost.core.settings import Settings

TIMEOUT_SECONDS = 30.0
_STARTTLS = {"auto": None, "always": True, "never": False}


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int | None
    username: str | None
    password: str | None
    use_tls: bool  # TLS from the start (smtps)
    start_tls: bool | None  # None: upgrade if the server offers it


def smtp_server(url: str) -> SmtpServer:
    """The server an ``smtp://`` or ``smtps://`` URL names; ValueError if it names none."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError("ROOST_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
    starttls = parse_qs(parts.query).get("starttls", ["auto"])[0].lower()
    if starttls not in _STARTTLS:
        raise ValueError("ROOST_SMTP_URL's starttls must be auto, always or never")
    secure = parts.scheme == "smtps"
    return SmtpServer(
        hostname=parts.hostname,
        port=parts.port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=secure,
        start_tls=False if secure else _STARTTLS[starttls],
    )


async def send(settings: Settings, message: EmailMessage) -> None:
    """Hand ``message`` to the configured server; raises if it is not accepted (the job
    that called retries later)."""
    server = smtp_server(settings.smtp_url)
    await aiosmtplib.send(
        message,
        hostname=server.hostname,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        start_tls=server.start_tls,
        timeout=TIMEOUT_SECONDS,
    )
