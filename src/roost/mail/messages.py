"""The mails Roost sends, as plain text: what they say and where their link points."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from roost.core.settings import Settings


def _message(settings: Settings, *, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.domain.split(":")[0])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


def confirmation_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/auth/confirmation?confirmation_token={token}"


def reset_link(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/auth/password/edit?reset_password_token={token}"


def _lasts(lifetime: timedelta) -> str:
    hours = int(lifetime.total_seconds() // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours} hour{'s' if hours != 1 else ''}"


def confirmation_message(
    settings: Settings, *, to: str, username: str, token: str, lifetime: timedelta
) -> EmailMessage:
    link = confirmation_link(settings, token)
    body = (
        f"Hello @{username},\n\n"
        f"Please confirm that this is your address, to finish signing up on "
        f"{settings.domain}:\n\n{link}\n\n"
        f"The link works once, for {_lasts(lifetime)}. If you did not sign up, "
        "ignore this mail: nothing happens without the link.\n"
    )
    return _message(settings, to=to, subject=f"Confirm your email for {settings.domain}", body=body)


def password_reset_message(
    settings: Settings, *, to: str, username: str, token: str, lifetime: timedelta
) -> EmailMessage:
    link = reset_link(settings, token)
    body = (
        f"Hello @{username},\n\n"
        f"Someone (we hope you) asked to reset the password of your account on "
        f"{settings.domain}. Choose a new one here:\n\n{link}\n\n"
        f"The link works once, for {_lasts(lifetime)}. Setting a new password signs you "
        "out everywhere. If you did not ask, ignore this mail: your password stays as it is.\n"
    )
    return _message(settings, to=to, subject=f"Reset your password on {settings.domain}", body=body)
