"""ROOST_SMTP_URL: what each form of the address means to aiosmtplib."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from roost.core.settings import Settings
from roost.mail.smtp import SmtpServer, smtp_server


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://mail.example", SmtpServer("mail.example", None, None, None, False, None)),
        (
            "smtp://roost%40example.org:p%3Ass@mail.example:587?starttls=always",
            SmtpServer("mail.example", 587, "roost@example.org", "p:ss", False, True),
        ),
        (
            "smtp://127.0.0.1:2525?starttls=never",
            SmtpServer("127.0.0.1", 2525, None, None, False, False),
        ),
        ("smtps://u:p@mail.example", SmtpServer("mail.example", None, "u", "p", True, False)),
    ],
)
def test_smtp_urls(url: str, server: SmtpServer) -> None:
    assert smtp_server(url) == server


@pytest.mark.parametrize("url", ["smtp://", "smtp://host?starttls=maybe", "http://host"])
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        smtp_server(url)


def test_settings_refuse_another_scheme_and_name_a_sender() -> None:
    with pytest.raises(ValidationError):
        Settings(smtp_url="mailto:someone@example.com")
    settings = Settings(smtp_url="smtp://127.0.0.1", domain="roost.example:8443")
    assert settings.mail_enabled
    assert settings.mail_sender == "Roost <notifications@roost.example>"
    assert not Settings().mail_enabled
