"""Logging for ``roost serve``: no secret in any line.

uvicorn logs each request line in full, query string included (the access log,
and the ``WebSocket /path?query`` lines of its error log), and Mastodon clients
put tokens there: ``/api/v1/streaming?access_token=...``. ``RedactSecrets``, a
filter on every handler, replaces the value of each secret query parameter with
``[FILTERED]`` (as Rails' ``filter_parameters`` does) before a line is written.
A parameter counts by its decoded name, so ``access%5Ftoken`` is caught as well.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

SECRET_PARAMETERS = frozenset(
    {
        "access_token",
        "refresh_token",
        "token",  # /oauth/revoke
        "code",  # an authorization code
        "code_verifier",
        "client_secret",
        "password",
        "current_password",
        "new_password",
    }
)
FILTERED = "[FILTERED]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# One query parameter: after "?" or "&", a name, "=", and a value up to the next
# separator, space or quote (a request line ends with ' HTTP/1.1"').
_PARAMETER = re.compile(r"(?P<lead>[?&])(?P<name>[^=&\s\"'?#]+)=(?P<value>[^&\s\"'#]*)")


def redact(text: str) -> str:
    """``text`` with the values of secret query parameters replaced."""
    if "=" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if unquote_plus(match["name"]).strip().lower() not in SECRET_PARAMETERS:
            return match[0]
        return f"{match['lead']}{match['name']}={FILTERED}"

    return _PARAMETER.sub(replace, text)


class RedactSecrets(logging.Filter):
    """Redacts the message and its string arguments, keeping the arguments' shape
    (uvicorn's access formatter unpacks them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def serve_log_config() -> dict[str, Any]:
    """uvicorn's logging config with every handler redacting, and Roost's own loggers
    (the root) written as ``roost worker`` writes them, in every server process."""
    import uvicorn.config

    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"redact_secrets": {"()": f"{__name__}.RedactSecrets"}}
    config["formatters"]["roost"] = {"format": FORMAT}
    config["handlers"]["roost"] = {
        "class": "logging.StreamHandler",
        "formatter": "roost",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_secrets"]
    config["root"] = {"handlers": ["roost"], "level": "INFO"}
    return config
