"""Logging for ``roost serve``: no secret in any line.

uvicorn logs each request line in full, query string included (the access log,
and the ``WebSocket /path?query`` lines of its error log), and Mastodon clients
put tokens there: ``/api/v1/streaming?access_token=...``. ``RedactSecrets``, a
filter on every handler, replaces the value of each secret query parameter with
``[FILTERED]`` (as Rails' ``filter_parameters`` does) before a line is written.
A parameter counts by its decoded name, so ``access%5Ftoken`` is caught as well.

``ROOST_LOG_FORMAT=json`` writes each line as one JSON object (python-json-logger's
formatter, on the standard library's logging, so uvicorn's lines come out the same way):
``time``, ``level``, ``logger``, ``message``, ``request_id`` when the line was written
for a request or a job it queued (core/request_ids.py), ``exc_info`` for a traceback,
and for uvicorn's access lines the request's parts as fields of their own
(``client_addr``, ``method``, ``path``, ``http_version``, ``status_code``). Redaction
runs first, so no field holds a secret either.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any
from urllib.parse import unquote_plus

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from roost.core.request_ids import current_request_id

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


class WithRequestId(logging.Filter):
    """Puts the current request id on the record (``request_id``), unless the line
    names one itself (``extra={"request_id": ...}``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = current_request_id()
            if request_id is not None:
                record.request_id = request_id
        return True


ACCESS_FIELDS = ("client_addr", "method", "path", "http_version", "status_code")


class AccessFields(logging.Filter):
    """uvicorn's access line as fields: its arguments are the client, the method, the
    path with its query (already redacted), the HTTP version and the status."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            for field, value in zip(ACCESS_FIELDS, args, strict=True):
                setattr(record, field, value)
        return True


def json_formatter() -> logging.Formatter:
    """One JSON object per line; uvicorn's ``color_message`` (the message again, with
    terminal colours) is left out."""
    return JsonFormatter(
        ["levelname", "name", "message"],
        timestamp="time",  # ISO 8601, UTC
        rename_fields={"levelname": "level", "name": "logger"},
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def configure_logging(*, json: bool) -> None:
    """Logging for the commands other than ``serve`` (``roost worker`` above all): one
    handler on the root, redacting, with the request id, as text or JSON."""
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter() if json else logging.Formatter(FORMAT))
    for chosen in (RedactSecrets(), WithRequestId()):
        handler.addFilter(chosen)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def serve_log_config(*, json: bool = False) -> dict[str, Any]:
    """uvicorn's logging config with every handler redacting and naming the request, and
    Roost's own loggers (the root) written as ``roost worker`` writes them, in every
    server process; with ``json``, every line of every logger is a JSON object."""
    import uvicorn.config

    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {
        "redact_secrets": {"()": f"{__name__}.RedactSecrets"},
        "request_id": {"()": f"{__name__}.WithRequestId"},
        "access_fields": {"()": f"{__name__}.AccessFields"},
    }
    config["formatters"]["roost"] = {"format": FORMAT}
    if json:
        for name in list(config["formatters"]):
            config["formatters"][name] = {"()": f"{__name__}.json_formatter"}
    config["handlers"]["roost"] = {
        "class": "logging.StreamHandler",
        "formatter": "roost",
        "stream": "ext://sys.stderr",
    }
    for handler in config["handlers"].values():
        # In order: the redacted arguments are what the access fields are taken from.
        handler["filters"] = ["redact_secrets", "request_id"] + (["access_fields"] if json else [])
    config["root"] = {"handlers": ["roost"], "level": "INFO"}
    return config
